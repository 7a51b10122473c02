/**
 * Drives one HTTP/1.1 connection: serializes a request, feeds socket bytes to the pure parser,
 * and turns parser events into a TransportResponse with a pull-based body. One request at a
 * time (no pipelining). The socket is unref'd while idle so a pooled connection never keeps the
 * process alive.
 */
import type { Socket } from "node:net";
import { ChunkedEncodingError, ConnectionError, ProtocolError, ReadTimeout } from "../../errors/errors.ts";
import type { ConnectTimings } from "../../net/connect.ts";
import { formatAddress } from "../../net/format-address.ts";
import type { ConnectionSummary, PoolableConnection } from "../../pool/connection-pool.ts";
import type {
  ConnectionInfo,
  TransportContext,
  TransportRequest,
  TransportResponse,
} from "../../transport/transport.ts";
import { baseConnectionInfo } from "../base-connection-info.ts";
import { BodyQueue } from "../body-queue.ts";
import type { HeaderList, ProtocolEvent } from "../events.ts";
import { H1ParseError } from "./h1-parse-error.ts";
import { serializeRequestHead } from "./request-serializer.ts";
import { H1ResponseParser } from "./response-parser.ts";
import { writeBody } from "./write-body.ts";

/** A replacement header list keeps the Host the original had when it names none. */
function withHostFrom(original: HeaderList, replacement: HeaderList): HeaderList {
  if (replacement.some(([name]) => name.toLowerCase() === "host")) return replacement;
  const host = original.find(([name]) => name.toLowerCase() === "host");
  return host ? [host, ...replacement] : replacement;
}

/** How long an idle connection is trusted when the server gives no Keep-Alive hint. */
const DEFAULT_IDLE_MS = 60_000;

/** Raised when a reused connection turns out closed before any response byte: safe to retry. */
export class StaleConnectionError extends ConnectionError {
  override readonly code: string = "ERR_STALE_CONNECTION";
}

interface Exchange {
  request: TransportRequest;
  ctx: TransportContext;
  resolve: (response: TransportResponse) => void;
  reject: (error: unknown) => void;
  body: BodyQueue | null;
  gotBytes: boolean;
  uploadDone: boolean;
  responseDone: boolean;
  keepAlive: boolean;
  waitingForData: boolean;
  onAbort: (() => void) | null;
  sentAt: number;
}

export class H1Connection implements PoolableConnection {
  readonly #socket: Socket;
  readonly #parser: H1ResponseParser;
  readonly #baseInfo: ConnectionInfo;
  #exchange: Exchange | null = null;
  #claimed = false;
  #closed = false;
  #served = 0;
  #idleSince = Date.now();
  #idleLimit = DEFAULT_IDLE_MS;
  #readTimeout: number | null = null;
  /** Called when a request finished with the connection (reusable or closed). */
  onRelease: (conn: H1Connection) => void = () => {};

  readonly #mapError: (error: unknown) => unknown;

  /** `mapError` turns socket errors into the error tree; the transport owns that mapping. */
  constructor(
    socket: Socket,
    timings: ConnectTimings,
    info: Partial<ConnectionInfo>,
    mapError: (error: unknown) => unknown,
  ) {
    this.#socket = socket;
    this.#mapError = mapError;
    this.#parser = new H1ResponseParser((event) => this.#onEvent(event));
    this.#baseInfo = baseConnectionInfo(socket, timings, 11, info);
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("end", () => this.#onEnd());
    socket.on("error", (error) => this.#fail(error));
    socket.on("close", () => this.#onClose());
    socket.on("timeout", () => this.#onTimeout());
    socket.unref();
  }

  isAvailable(): boolean {
    return !this.#claimed && !this.#closed && this.#exchange === null;
  }
  isIdle(): boolean {
    return !this.#claimed && this.#exchange === null;
  }
  hasExpired(now: number): boolean {
    return now - this.#idleSince >= this.#idleLimit;
  }
  isClosed(): boolean {
    return this.#closed || this.#socket.destroyed;
  }
  claim(): void {
    this.#claimed = true;
  }

  /** State for the pool summary (`Session.toString()`). */
  describe(): ConnectionSummary {
    return {
      state: this.isClosed() ? "closed" : this.isIdle() ? "idle" : "active",
      protocol: "HTTP/1.1",
      served: this.#served,
      address: formatAddress(this.#baseInfo.destinationAddress),
      tlsVersion: this.#baseInfo.tlsVersion,
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
  }

  /** Sends one request. Resolves when the final response head arrives. */
  request(request: TransportRequest, ctx: TransportContext): Promise<TransportResponse> {
    this.#claimed = false;
    if (this.isClosed()) {
      return Promise.reject(new StaleConnectionError("Connection closed before the request was sent"));
    }
    return new Promise<TransportResponse>((resolve, reject) => {
      const exchange: Exchange = {
        request,
        ctx,
        resolve,
        reject,
        body: null,
        gotBytes: false,
        uploadDone: false,
        responseDone: false,
        keepAlive: false,
        waitingForData: false,
        onAbort: null,
        sentAt: performance.now(),
      };
      this.#exchange = exchange;
      this.#socket.ref();
      this.#readTimeout = ctx.readTimeout;
      if (ctx.signal) {
        exchange.onAbort = () => this.#fail(ctx.signal?.reason, true);
        ctx.signal.addEventListener("abort", exchange.onAbort, { once: true });
      }
      this.#parser.expect(request.method);
      this.#armTimeout(true);
      const send = (): void => {
        if (this.#exchange !== exchange) return;
        this.#send(exchange).catch((error: unknown) => this.#fail(error));
      };
      // A reused connection writes on the next check phase, as undici does: a FIN or reset the
      // server sent while it idled is read first (the request then fails as stale and is retried
      // on a new connection), and the write comes after every socket read of this loop turn.
      if (this.#served > 0) setImmediate(send);
      else send();
    });
  }

  async #send(exchange: Exchange): Promise<void> {
    const { request } = exchange;
    if (exchange.ctx.beforeSend) {
      const headers = await exchange.ctx.beforeSend(this.#info(null));
      if (this.#exchange !== exchange) return;
      if (headers) request.headers = withHostFrom(request.headers, headers);
    }
    const url = request.url;
    const head = serializeRequestHead(request.method, url.pathname + url.search, request.headers);
    await writeBody(
      this.#socket,
      head,
      request.body,
      request.trailers ?? null,
      exchange.ctx.onUpload,
      () => this.#exchange !== exchange,
    );
    if (this.#exchange !== exchange) return;
    exchange.uploadDone = true;
    exchange.sentAt = performance.now() - exchange.sentAt;
    if (exchange.responseDone) this.#finish(exchange);
  }

  #info(requestSentLatency: number | null): ConnectionInfo {
    return { ...this.#baseInfo, reused: this.#served > 0, requestSentLatency };
  }

  #onData(chunk: Buffer): void {
    const exchange = this.#exchange;
    if (!exchange) {
      // Bytes nobody asked for: the connection is out of step, never reuse it.
      this.close();
      return;
    }
    exchange.gotBytes = true;
    try {
      this.#parser.feed(chunk);
    } catch (error) {
      this.#fail(error);
    }
  }

  #onEvent(event: ProtocolEvent): void {
    const exchange = this.#exchange;
    if (!exchange) return;
    switch (event.type) {
      case "informational":
        exchange.ctx.onInformational?.({
          status: event.status,
          reason: event.reason,
          headers: event.headers,
        });
        return;
      case "headers": {
        exchange.keepAlive = event.keepAlive && !event.upgrade;
        this.#readKeepAliveHint(event.headers);
        const body = new BodyQueue({
          pause: () => this.#socket.pause(),
          resume: () => this.#socket.resume(),
          waiting: (waiting) => {
            exchange.waitingForData = waiting;
            this.#armTimeout(waiting);
          },
          cancel: () => {
            if (this.#exchange === exchange) this.#fail(null);
          },
        });
        exchange.body = body;
        this.#armTimeout(false);
        const info = this.#info(exchange.uploadDone ? exchange.sentAt : null);
        exchange.resolve({
          status: event.status,
          reason: event.reason,
          httpVersion: event.httpVersion,
          headers: event.headers,
          body,
          connInfo: info,
        });
        return;
      }
      case "data":
        exchange.body?.push(event.data);
        return;
      case "trailers":
        if (exchange.body) exchange.body.trailers = event.headers;
        return;
      case "end":
        exchange.responseDone = true;
        exchange.body?.end();
        if (exchange.uploadDone) this.#finish(exchange);
        return;
      default:
        return;
    }
  }

  /** Request and response both complete: the connection goes back to the pool, or closes. */
  #finish(exchange: Exchange): void {
    if (this.#exchange !== exchange) return;
    this.#exchange = null;
    this.#served++;
    if (exchange.onAbort) exchange.ctx.signal?.removeEventListener("abort", exchange.onAbort);
    this.#armTimeout(false);
    const leftover = this.#parser.takeRemaining();
    if (!exchange.keepAlive || leftover.byteLength > 0) {
      this.close();
    } else {
      this.#idleSince = Date.now();
      this.#socket.unref();
    }
    this.onRelease(this);
  }

  #fail(error: unknown, aborted = false): void {
    const exchange = this.#exchange;
    this.close();
    if (!exchange) return;
    this.#exchange = null;
    if (exchange.onAbort) exchange.ctx.signal?.removeEventListener("abort", exchange.onAbort);
    const reason = aborted ? error : this.#wrap(error, exchange);
    if (exchange.body) exchange.body.fail(reason);
    else exchange.reject(reason);
    this.onRelease(this);
  }

  #wrap(error: unknown, exchange: Exchange): unknown {
    if (error instanceof H1ParseError) {
      if (!error.incomplete) return new ProtocolError(error.message, { cause: error });
      if (!exchange.gotBytes && this.#served > 0) {
        return new StaleConnectionError("The server closed the kept-alive connection", { cause: error });
      }
      if (exchange.body === null) {
        return new ConnectionError("The server closed the connection without a complete response", {
          cause: error,
        });
      }
      return new ChunkedEncodingError(`Response ended prematurely: ${error.message}`, { cause: error });
    }
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (!exchange.gotBytes && this.#served > 0 && (code === "ECONNRESET" || code === "EPIPE")) {
      return new StaleConnectionError("The server reset the kept-alive connection", { cause: error });
    }
    return this.#mapError(error);
  }

  #onEnd(): void {
    if (!this.#exchange) {
      this.close();
      return;
    }
    try {
      this.#parser.finish();
    } catch (error) {
      this.#fail(error);
      return;
    }
    // A close-delimited body ended cleanly; or the server closed before answering.
    if (this.#exchange) this.#fail(new H1ParseError("Connection closed before the response", true));
  }

  #onClose(): void {
    this.#closed = true;
    if (this.#exchange) this.#fail(new H1ParseError("Connection closed", true));
    else this.onRelease(this);
  }

  #onTimeout(): void {
    const exchange = this.#exchange;
    if (!exchange) return;
    this.#fail(new ReadTimeout(`No data from the server in ${this.#readTimeout} ms`), true);
  }

  #armTimeout(on: boolean): void {
    if (this.#readTimeout === null) return;
    this.#socket.setTimeout(on ? this.#readTimeout : 0);
  }

  /** `Keep-Alive: timeout=N` says how long the server keeps an idle connection. */
  #readKeepAliveHint(headers: Array<[string, string]>): void {
    for (const [name, value] of headers) {
      if (name.length !== 10 || name.toLowerCase() !== "keep-alive") continue;
      const match = /timeout=(\d+)/i.exec(value);
      if (match) this.#idleLimit = Math.max(0, Number(match[1]) * 1000 - 1000);
    }
  }
}
