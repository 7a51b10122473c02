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

/** `host` may be "::1"; `port` 0 picks a free one (a fixed one lets a live server share it). */
export async function startBlackhole(host = "127.0.0.1", wantedPort = 0): Promise<Blackhole> {
  // A listener with backlog 0 that never accepts; Node would accept, so Python holds it.
  const family = host.includes(":") ? "socket.AF_INET6" : "socket.AF_INET";
  const script = [
    "import socket, sys",
    `s = socket.socket(${family})`,
    `s.bind((${JSON.stringify(host)}, ${wantedPort}))`,
    "s.listen(0)",
    "print(s.getsockname()[1], flush=True)",
    "sys.stdin.read()",
  ].join("\n");
  const child: ChildProcess = spawn("/usr/bin/python3", ["-c", script], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`blackhole on ${host}:${wantedPort} exited (${code})`)));
    child.stdout?.once("data", (data: Buffer) => resolve(Number(String(data).trim())));
  });
  // Fill the accept queue; later SYNs are dropped and the client keeps retrying.
  const fillers = Array.from({ length: 3 }, () => net.connect(port, host).on("error", () => {}));
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
