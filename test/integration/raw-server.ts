/**
 * A scriptable TCP server for fault tests: each connection gets the handler, which reads the
 * request head and writes whatever bytes the test wants (resets, truncation, bad framing).
 */
import net from "node:net";

export interface RawConnection {
  socket: net.Socket;
  /** Resolves with the next request head (up to the blank line) and any body bytes after it. */
  nextRequest(): Promise<{ head: string; rest: Buffer }>;
}

export interface RawServer {
  url: string;
  port: number;
  connections: number;
  close(): Promise<void>;
}

export async function startRawServer(
  handler: (conn: RawConnection) => void | Promise<void>,
): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const state = { connections: 0 };
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffered = Buffer.alloc(0);
    let waiter: (() => void) | null = null;
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      waiter?.();
    });
    const nextRequest = async (): Promise<{ head: string; rest: Buffer }> => {
      for (;;) {
        const end = buffered.indexOf("\r\n\r\n");
        if (end >= 0) {
          const head = buffered.subarray(0, end).toString("latin1");
          const rest = buffered.subarray(end + 4);
          buffered = Buffer.alloc(0);
          return { head, rest };
        }
        await new Promise<void>((resolve) => {
          waiter = resolve;
        });
      }
    };
    void handler({ socket, nextRequest });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
