/**
 * An in-process node:http2 server (h2c, or TLS with the test PKI) for HTTP/2 faults that must be
 * scripted: each test supplies the stream handler; the server records sessions, concurrency and
 * PINGs so tests can assert on what went over the wire.
 */
import http2, { type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import type { AddressInfo, Socket } from "node:net";

export type StreamHandler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, index: number) => void;

export interface H2TestServer {
  url: string;
  /** Sessions (connections) accepted so far. */
  readonly sessions: Http2Session[];
  /** Streams received, over all sessions. */
  readonly streams: number;
  /** Most streams open at once on any one session. */
  readonly maxConcurrent: number;
  /** PING frames received from clients. */
  readonly pings: number;
  /** Sessions closed so far. */
  readonly closedSessions: number;
  /** Destroys every accepted TCP socket at once: no GOAWAY, no goodbye. */
  cutSockets(): void;
  close(): Promise<void>;
}

export interface H2TestServerOptions {
  settings?: http2.Settings;
  tls?: { key: string; cert: string };
}

export async function startH2Server(
  handler: StreamHandler,
  options: H2TestServerOptions = {},
): Promise<H2TestServer> {
  const base = options.settings ? { settings: options.settings } : {};
  const server = options.tls
    ? http2.createSecureServer({ ...base, ...options.tls })
    : http2.createServer(base);
  const sessions: Http2Session[] = [];
  const open = new Map<Http2Session, number>();
  const state = { streams: 0, maxConcurrent: 0, pings: 0, closed: 0 };
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("session", (session) => {
    sessions.push(session);
    open.set(session, 0);
    session.on("ping", () => state.pings++);
    session.on("error", () => {});
    session.on("close", () => state.closed++);
  });
  server.on("stream", (stream, headers) => {
    stream.on("error", () => {});
    const index = state.streams++;
    const session = stream.session;
    if (session) {
      const now = (open.get(session) ?? 0) + 1;
      open.set(session, now);
      state.maxConcurrent = Math.max(state.maxConcurrent, now);
      stream.once("close", () => open.set(session, (open.get(session) ?? 1) - 1));
    }
    handler(stream, headers, index);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: options.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    sessions,
    get streams() {
      return state.streams;
    },
    get maxConcurrent() {
      return state.maxConcurrent;
    },
    get pings() {
      return state.pings;
    },
    get closedSessions() {
      return state.closed;
    },
    cutSockets: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Reads a request body to its end. */
export function readBody(stream: ServerHttp2Stream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.once("end", () => resolve(Buffer.concat(chunks)));
    stream.once("error", reject);
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
