/**
 * Opens TCP, TLS or Unix-socket connections with timings. Node errors pass through untouched:
 * transport/map-errors.ts is the one place they become ours. Timeouts and aborts are ours.
 */
import net from "node:net";
import tls from "node:tls";
import { ConnectTimeout } from "../errors/errors.ts";

export interface TlsSettings {
  rejectUnauthorized: boolean;
  ca?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
  alpnProtocols: string[];
}

export interface ConnectOptions {
  host: string;
  port: number;
  /** Connect to this Unix socket instead of host:port. */
  socketPath?: string | null;
  tls: TlsSettings | null;
  connectTimeout: number | null;
  signal: AbortSignal | null;
  localAddress?: string;
}

export interface ConnectTimings {
  resolution: number | null;
  established: number | null;
  tlsHandshake: number | null;
}

export interface Connected {
  socket: net.Socket;
  timings: ConnectTimings;
}

/** Strips the brackets URL.hostname keeps around IPv6 literals. */
export function bareHost(hostname: string): string {
  return hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
}

/** Opens a connection; on any failure the socket is destroyed before the promise rejects. */
export function connect(options: ConnectOptions): Promise<Connected> {
  const start = performance.now();
  const timings: ConnectTimings = { resolution: null, established: null, tlsHandshake: null };
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);

  return new Promise<Connected>((resolve, reject) => {
    let socket: net.Socket;
    const tlsSettings = options.tls;
    if (options.socketPath) {
      socket = net.connect({ path: options.socketPath });
    } else {
      const base: net.TcpNetConnectOpts = { host: options.host, port: options.port, noDelay: true };
      if (options.localAddress) base.localAddress = options.localAddress;
      socket = net.connect(base);
      socket.once("lookup", () => {
        timings.resolution = performance.now() - start;
      });
    }
    let timer: NodeJS.Timeout | null = null;
    const fail = (error: unknown): void => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onAbort = (): void => fail(signal?.reason);
    const onError = (error: Error): void => fail(error);
    const cleanup = (): void => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.removeListener("error", onError);
    };
    if (options.connectTimeout !== null) {
      timer = setTimeout(() => {
        fail(
          new ConnectTimeout(
            `Connection to ${options.host}:${options.port} timed out (${options.connectTimeout} ms)`,
          ),
        );
      }, options.connectTimeout);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("error", onError);
    socket.once("connect", () => {
      timings.established = performance.now() - start - (timings.resolution ?? 0);
      if (!tlsSettings) {
        cleanup();
        resolve({ socket, timings });
        return;
      }
      const tlsStart = performance.now();
      const host = bareHost(options.host);
      const secure = tls.connect({
        socket,
        ...(net.isIP(host) === 0 ? { servername: host } : {}),
        rejectUnauthorized: tlsSettings.rejectUnauthorized,
        ALPNProtocols: tlsSettings.alpnProtocols,
        ...(tlsSettings.ca !== undefined ? { ca: tlsSettings.ca } : {}),
        ...(tlsSettings.cert !== undefined ? { cert: tlsSettings.cert } : {}),
        ...(tlsSettings.key !== undefined ? { key: tlsSettings.key } : {}),
        ...(tlsSettings.passphrase !== undefined ? { passphrase: tlsSettings.passphrase } : {}),
        ...(tlsSettings.minVersion !== undefined ? { minVersion: tlsSettings.minVersion } : {}),
        ...(tlsSettings.maxVersion !== undefined ? { maxVersion: tlsSettings.maxVersion } : {}),
        ...(tlsSettings.ciphers !== undefined ? { ciphers: tlsSettings.ciphers } : {}),
      });
      socket.removeListener("error", onError);
      const onTlsError = (error: Error): void => {
        secure.destroy();
        fail(error);
      };
      socket = secure;
      secure.once("error", onTlsError);
      secure.once("secureConnect", () => {
        secure.removeListener("error", onTlsError);
        timings.tlsHandshake = performance.now() - tlsStart;
        cleanup();
        resolve({ socket: secure, timings });
      });
    });
  });
}
