/**
 * A loopback port whose accept queue is full, so new connections hang in SYN-SENT: the one
 * honest way to script a connect timeout without sending traffic off this machine.
 */
import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";

export interface Blackhole {
  port: number;
  close(): void;
}

export async function startBlackhole(): Promise<Blackhole> {
  // A listener with backlog 0 that never accepts; Node would accept, so Python holds it.
  const script = [
    "import socket, sys",
    "s = socket.socket()",
    "s.bind(('127.0.0.1', 0))",
    "s.listen(0)",
    "print(s.getsockname()[1], flush=True)",
    "sys.stdin.read()",
  ].join("\n");
  const child: ChildProcess = spawn("/usr/bin/python3", ["-c", script], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.stdout?.once("data", (data: Buffer) => resolve(Number(String(data).trim())));
  });
  // Fill the accept queue; later SYNs are dropped and the client keeps retrying.
  const fillers = Array.from({ length: 3 }, () => net.connect(port, "127.0.0.1").on("error", () => {}));
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    port,
    close() {
      for (const filler of fillers) filler.destroy();
      child.stdin?.end();
      child.kill();
    },
  };
}
