/**
 * Leak checks shared by the tests that assert "nothing left open": counts of live TCP sockets
 * and timers in this process, a short pause for closes to land, and a port nobody listens on.
 */
import net from "node:net";

/** Live TCP sockets and timers (`process.getActiveResourcesInfo()`). */
export function handles(): { sockets: number; timers: number } {
  const info = process.getActiveResourcesInfo();
  return {
    sockets: info.filter((kind) => kind === "TCPSocketWrap" || kind === "TCPWRAP").length,
    timers: info.filter((kind) => kind === "Timeout").length,
  };
}

/** Lets pending closes and timer clears run (50 ms). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50));
}

/** A loopback port that was free a moment ago: connecting to it is refused. */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
