/**
 * Opens TCP, TLS or Unix-socket connections with timings. Node errors pass through untouched:
 * transport/map-errors.ts is the one place they become ours. Timeouts, aborts and pin
 * mismatches are ours. One internal signal ends every step (lookup, race, handshake), so a
 * failure at any point leaves no socket and no timer behind.
 */
import { X509Certificate } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import { ConnectionError, ConnectTimeout, SSLError } from "../errors/errors.ts";
import { type LookupFunction, orderAddresses, raceConnect, systemLookup } from "./happy-eyeballs.ts";
import type { TlsSettings } from "./tls-config.ts";

export type { TlsSettings } from "./tls-config.ts";

export interface ConnectOptions {
  host: string;
  port: number;
  /** Connect to this Unix socket instead of host:port. */
  socketPath?: string | null;
  tls: TlsSettings | null;
  connectTimeout: number | null;
  signal: AbortSignal | null;
  /** Bind outgoing sockets to this local IP (and port). */
  localAddress?: string;
  localPort?: number;
  /** Attempts raced at once (happy eyeballs); null: one plain connect, Node's own lookup. */
  happyEyeballs?: number | null;
  /** Resolver used when racing (or when given); default `dns.promises.lookup(host, {all})`. */
  lookup?: LookupFunction | null;
  disableIpv4?: boolean;
  disableIpv6?: boolean;
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
export async function connect(options: ConnectOptions): Promise<Connected> {
  const { signal } = options;
  if (signal?.aborted) throw signal.reason;
  const step = new AbortController();
  const onAbort = (): void => step.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer =
    options.connectTimeout === null
      ? null
      : setTimeout(() => {
          step.abort(
            new ConnectTimeout(
              `Connection to ${options.socketPath ?? `${options.host}:${options.port}`} timed out (${options.connectTimeout} ms)`,
            ),
          );
        }, options.connectTimeout);
  try {
    const timings: ConnectTimings = { resolution: null, established: null, tlsHandshake: null };
    const socket = await openSocket(options, timings, step.signal);
    if (!options.tls) return { socket, timings };
    const started = performance.now();
    const secure = await handshake(socket, options, options.tls, step.signal);
    timings.tlsHandshake = performance.now() - started;
    return { socket: secure, timings };
  } finally {
    if (timer) clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

function useOwnLookup(options: ConnectOptions): boolean {
  return (options.happyEyeballs ?? null) !== null || (options.lookup ?? null) !== null;
}

/** TCP (or Unix) connect: Node's single connect, or a happy-eyeballs race over resolved addresses. */
async function openSocket(
  options: ConnectOptions,
  timings: ConnectTimings,
  signal: AbortSignal,
): Promise<net.Socket> {
  const start = performance.now();
  const host = bareHost(options.host);
  const literal = net.isIP(host);
  if (
    !options.socketPath &&
    ((literal === 4 && options.disableIpv4) || (literal === 6 && options.disableIpv6))
  ) {
    throw new ConnectionError(`Cannot connect to ${host}: IPv${literal} is disabled`);
  }
  if (options.socketPath || !useOwnLookup(options)) {
    const socket = options.socketPath
      ? net.connect({ path: options.socketPath })
      : net.connect({
          host,
          port: options.port,
          noDelay: true,
          ...(options.disableIpv4 ? { family: 6 } : options.disableIpv6 ? { family: 4 } : {}),
          ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
          ...(options.localPort !== undefined ? { localPort: options.localPort } : {}),
        });
    socket.once("lookup", () => {
      timings.resolution = performance.now() - start;
    });
    await settleOn(socket, "connect", signal);
    timings.established = performance.now() - start - (timings.resolution ?? 0);
    return socket;
  }
  const filter = { disableIpv4: options.disableIpv4 === true, disableIpv6: options.disableIpv6 === true };
  let addresses: Array<{ address: string; family: number }>;
  if (literal !== 0) {
    addresses = [{ address: host, family: literal }];
  } else {
    addresses = await abortable((options.lookup ?? systemLookup)(host), signal);
    timings.resolution = performance.now() - start;
  }
  const ordered = orderAddresses(addresses, filter);
  if (ordered.length === 0) {
    const families = filter.disableIpv4 ? "IPv6" : filter.disableIpv6 ? "IPv4" : "any";
    throw new ConnectionError(`No ${families} address to connect to for ${host}`);
  }
  const raceStart = performance.now();
  const socket = await raceConnect(ordered, {
    port: options.port,
    concurrency: options.happyEyeballs ?? 1,
    signal,
    ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
    ...(options.localPort !== undefined ? { localPort: options.localPort } : {}),
  });
  timings.established = performance.now() - raceStart;
  return socket;
}

/** TLS over a connected socket; SNI for names only (RFC 6066 forbids IP literals). */
async function handshake(
  socket: net.Socket,
  options: ConnectOptions,
  settings: TlsSettings,
  signal: AbortSignal,
): Promise<tls.TLSSocket> {
  const host = bareHost(options.host);
  const secure = tls.connect({
    socket,
    // The name the certificate is checked against; without it Node would check "localhost".
    host,
    secureContext: settings.secureContext,
    ...(net.isIP(host) === 0 && !options.socketPath ? { servername: host } : {}),
    rejectUnauthorized: settings.rejectUnauthorized,
    ALPNProtocols: settings.alpnProtocols,
    checkServerIdentity: checkIdentity,
  });
  try {
    await settleOn(secure, "secureConnect", signal);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  if (settings.pinSha256 !== null) {
    const der = secure.getPeerCertificate().raw;
    const seen = der ? fingerprint(secure) : "(none)";
    if (seen !== settings.pinSha256) {
      secure.destroy();
      throw new SSLError(`The server certificate's SHA-256 ${seen} is not the pinned ${settings.pinSha256}`, {
        code: "ERR_SSL_PIN_MISMATCH",
      });
    }
  }
  return secure;
}

/**
 * IP literals are matched against the certificate's IP SANs by X509Certificate.checkIP: Node
 * 22.23's checkServerIdentity stopped matching IPv6 literals at all (nodejs/node#64032). Names
 * go through Node's own check.
 */
function checkIdentity(host: string, cert: tls.PeerCertificate): Error | undefined {
  if (net.isIP(host) === 0 || cert.raw === undefined) return tls.checkServerIdentity(host, cert);
  if (new X509Certificate(cert.raw).checkIP(host) !== undefined) return undefined;
  const error: NodeJS.ErrnoException = new Error(`IP: ${host} is not in the certificate's IP addresses`);
  error.code = "ERR_TLS_CERT_ALTNAME_INVALID";
  return error;
}

function fingerprint(socket: tls.TLSSocket): string {
  return (socket.getPeerX509Certificate()?.fingerprint256 ?? "").replaceAll(":", "");
}

/** Waits for `event`; an error or an abort destroys the socket and rejects. */
function settleOn(socket: net.Socket, event: string, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      signal.removeEventListener("abort", onAbort);
      socket.removeListener("error", onError);
      socket.removeListener(event, onEvent);
    };
    const onEvent = (): void => {
      cleanup();
      resolve();
    };
    const onError = (error: Error): void => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onAbort = (): void => {
      cleanup();
      socket.destroy();
      reject(signal.reason);
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("error", onError);
    socket.once(event, onEvent);
  });
}

/** Races a promise against the signal (a lookup cannot be cancelled, only abandoned). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
