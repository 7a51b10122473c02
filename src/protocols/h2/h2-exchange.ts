/**
 * One request/response on an HTTP/2 stream: sends the header block and the body, turns the
 * stream's events (1xx, response head, data, trailers, reset) into our vocabulary, and hands
 * the body out through the shared pull-based BodyQueue. A stream failing (reset, read timeout,
 * cancel) never costs the connection: the other streams go on.
 */
import http2, { type ClientHttp2Session, type ClientHttp2Stream } from "node:http2";
import { ChunkedEncodingError, ConnectionError, ReadTimeout } from "../../errors/errors.ts";
import type {
  ConnectionInfo,
  TransportContext,
  TransportRequest,
  TransportResponse,
} from "../../transport/transport.ts";
import { BodyQueue, type BodyQueueHooks } from "../body-queue.ts";
import type { HeaderList } from "../events.ts";
import { headerListFromRaw, requestHeaderBlock, statusFromRaw } from "./h2-headers.ts";
import { UnprocessedRequestError } from "./unprocessed-request-error.ts";
import { writeH2Body } from "./write-h2-body.ts";

const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM, NGHTTP2_NO_ERROR } = http2.constants;
/** Methods whose streams node:http2 ends at once when no `endStream` option is given. */
const SELF_ENDING = new Set(["GET", "HEAD", "DELETE"]);

/** What an exchange needs from its connection. */
export interface ExchangeHost {
  readonly session: ClientHttp2Session;
  info(requestSentLatency: number | null): ConnectionInfo;
  mapError(error: unknown): unknown;
  /** False once the connection takes no new streams (GOAWAY, closed). */
  acceptsStreams(): boolean;
  /** Why streams are failing when the connection itself went away, else null. */
  connectionErrorFor(exchange: H2Exchange): unknown;
  /** The stream is over (complete or failed): its slot is free. */
  finished(exchange: H2Exchange): void;
  /** Calls {@link H2Exchange.checkDeadline} no later than `at` (a performance.now() time). */
  scheduleDeadline(at: number): void;
}

export class H2Exchange implements BodyQueueHooks {
  readonly #host: ExchangeHost;
  readonly #request: TransportRequest;
  readonly #ctx: TransportContext;
  #resolve: (response: TransportResponse) => void;
  #reject: (error: unknown) => void;
  #stream: ClientHttp2Stream | null = null;
  #body: BodyQueue | null = null;
  #settled = false;
  #streamError: unknown = null;
  #startedAt = performance.now();
  #sentLatency: number | null = null;
  #onAbort: (() => void) | null = null;
  /** The consumer waits for body bytes: the read timeout applies. */
  #waiting = false;
  /** Set when a GOAWAY said the server never processed this stream. */
  unprocessed = false;
  /**
   * When the read timeout fires (performance.now() time), Infinity while it does not apply.
   * One timer per connection watches these: per-stream timers cost more than the requests.
   */
  deadline = Number.POSITIVE_INFINITY;

  constructor(
    host: ExchangeHost,
    request: TransportRequest,
    ctx: TransportContext,
    resolve: (response: TransportResponse) => void,
    reject: (error: unknown) => void,
  ) {
    this.#host = host;
    this.#request = request;
    this.#ctx = ctx;
    this.#resolve = resolve;
    this.#reject = reject;
    if (ctx.signal) {
      this.#onAbort = () => this.#fail(ctx.signal?.reason, NGHTTP2_CANCEL);
      ctx.signal.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  /** The stream id, once the stream exists (0 before). */
  get streamId(): number {
    return this.#stream?.id ?? 0;
  }

  /** True once the response head arrived. */
  get responded(): boolean {
    return this.#body !== null;
  }

  /**
   * Opens the stream and sends the request. Synchronous (undefined) for the common case, no
   * preSend hook and no body; a promise when a hook or the body upload has to be awaited.
   */
  start(): Promise<void> | undefined {
    if (this.#ctx.beforeSend) return this.#startAfterHook(this.#ctx.beforeSend);
    return this.#open();
  }

  async #startAfterHook(beforeSend: NonNullable<TransportContext["beforeSend"]>): Promise<void> {
    const headers = await beforeSend(this.#host.info(null));
    if (this.#settled) return;
    if (headers) this.#request.headers = keepHost(this.#request.headers, headers);
    await this.#open();
  }

  #open(): Promise<void> | undefined {
    const request = this.#request;
    if (!this.#host.acceptsStreams()) {
      throw new UnprocessedRequestError(
        "The connection stopped taking requests (GOAWAY) before this one was sent",
      );
    }
    const block = requestHeaderBlock(request.method, request.url, request.headers);
    const trailers = request.trailers ?? null;
    const bodyless = request.body === null && trailers === null;
    // node ends GET/HEAD/DELETE streams without a body by itself; leaving the options out keeps
    // node's request() on its fast path (an options object costs it several µs per stream).
    const stream =
      bodyless && SELF_ENDING.has(request.method)
        ? this.#host.session.request(block)
        : this.#host.session.request(block, { endStream: bodyless, waitForTrailers: trailers !== null });
    this.#stream = stream;
    this.#wire(stream);
    if (bodyless) {
      this.#sentLatency = performance.now() - this.#startedAt;
      return undefined;
    }
    return this.#sendBody(stream, request.body, trailers);
  }

  async #sendBody(
    stream: ClientHttp2Stream,
    body: TransportRequest["body"],
    trailers: NonNullable<TransportRequest["trailers"]> | null,
  ): Promise<void> {
    const completed = await writeH2Body(stream, body, trailers, this.#ctx.onUpload, () => {
      // Upload progress counts as activity, as socket writes do for HTTP/1.1.
      this.#touch();
      return this.#settled || stream.destroyed;
    });
    if (completed) this.#sentLatency = performance.now() - this.#startedAt;
    // The server finished its response before reading our whole body: end our half too, or
    // the stream (and its slot) would stay open.
    else if (!stream.closed && !stream.destroyed) stream.close(NGHTTP2_CANCEL);
  }

  /** Fails the exchange with an error raised outside the stream (writing the body, beforeSend). */
  abandon(error: unknown): void {
    this.#fail(this.#host.mapError(error), NGHTTP2_CANCEL);
  }

  #wire(stream: ClientHttp2Stream): void {
    this.#arm(true);
    const onInformational = this.#ctx.onInformational;
    if (onInformational) {
      stream.on("headers", (_headers: http2.IncomingHttpHeaders, _flags: number, raw: string[]) => {
        const status = statusFromRaw(raw);
        if (status >= 100 && status < 200) {
          onInformational({ status, reason: "", headers: headerListFromRaw(raw) });
        }
      });
    }
    stream.on("response", (_headers: http2.IncomingHttpHeaders, _flags: number, raw: string[]) =>
      this.#onResponse(raw),
    );
    stream.on("data", (chunk: Buffer) => {
      this.#touch();
      this.#body?.push(chunk);
    });
    stream.on("trailers", (headers: http2.IncomingHttpHeaders) => {
      if (this.#body) this.#body.trailers = headerListFromObject(headers);
    });
    stream.on("end", () => {
      if (this.#body === null || this.#settled) return;
      // node:http2 also ends the readable side of streams it tears down (the socket died, the
      // session was destroyed): only a stream that closed cleanly delivered its whole body.
      const code = stream.rstCode;
      if (code !== undefined && code !== NGHTTP2_NO_ERROR) return;
      this.#body.end();
      this.#settled = true;
    });
    stream.on("error", (error) => {
      this.#streamError = error;
    });
    stream.on("close", () => this.#onClose(stream));
  }

  #onResponse(raw: string[]): void {
    if (this.#settled) return;
    // The exchange is the queue's hooks object: no four closures per response.
    const body = new BodyQueue(this);
    this.#body = body;
    this.#arm(false);
    this.#resolve({
      status: statusFromRaw(raw),
      reason: "",
      httpVersion: 20,
      headers: headerListFromRaw(raw),
      body,
      connInfo: this.#host.info(this.#sentLatency),
    });
  }

  // BodyQueueHooks, called by this exchange's body queue.
  pause(): void {
    this.#stream?.pause();
  }
  resume(): void {
    this.#stream?.resume();
  }
  waiting(waiting: boolean): void {
    this.#waiting = waiting;
    this.#arm(waiting);
  }
  cancel(): void {
    this.#fail(null, NGHTTP2_CANCEL);
  }

  /** Silence counts only while we wait: for the head, or for body bytes the consumer asked for. */
  #arm(on: boolean): void {
    const ms = this.#ctx.readTimeout;
    if (ms === null) return;
    if (!on) {
      this.deadline = Number.POSITIVE_INFINITY;
      return;
    }
    this.deadline = performance.now() + ms;
    this.#host.scheduleDeadline(this.deadline);
  }

  /** Bytes moved: the silence starts over (the connection's timer finds the later deadline). */
  #touch(): void {
    if (this.deadline !== Number.POSITIVE_INFINITY)
      this.deadline = performance.now() + this.#ctx.readTimeout!;
  }

  /** Called by the connection's timer: fails the exchange when its deadline passed. */
  checkDeadline(now: number): void {
    if (this.deadline > now || this.#settled) return;
    if (this.#body !== null && !this.#waiting) return;
    this.deadline = Number.POSITIVE_INFINITY;
    this.#fail(new ReadTimeout(`No data from the server in ${this.#ctx.readTimeout} ms`), NGHTTP2_CANCEL);
  }

  #onClose(stream: ClientHttp2Stream): void {
    if (!this.#settled) this.#fail(this.#closeError(stream), null);
    this.deadline = Number.POSITIVE_INFINITY;
    this.#cleanup();
    this.#host.finished(this);
  }

  #closeError(stream: ClientHttp2Stream): unknown {
    const code = stream.rstCode;
    if (!this.responded && (this.unprocessed || code === NGHTTP2_REFUSED_STREAM)) {
      return new UnprocessedRequestError(
        this.unprocessed
          ? "The server shut the connection down (GOAWAY) before processing this request"
          : "The server refused the stream (REFUSED_STREAM) before processing it",
      );
    }
    const lost = this.#host.connectionErrorFor(this);
    if (lost !== null) return lost;
    const detail = code !== undefined && code !== NGHTTP2_NO_ERROR ? ` (RST_STREAM code ${code})` : "";
    if (!this.responded) {
      const cause = this.#streamError ?? undefined;
      return new ConnectionError(`The stream closed before a response${detail}`, { cause });
    }
    return new ChunkedEncodingError(`The response body ended prematurely${detail}`, {
      cause: this.#streamError ?? undefined,
    });
  }

  /** Settles the exchange with `error`; a non-null `rstCode` resets the stream. */
  #fail(error: unknown, rstCode: number | null): void {
    if (this.#settled) return;
    this.#settled = true;
    const stream = this.#stream;
    if (rstCode !== null && stream && !stream.closed && !stream.destroyed) stream.close(rstCode);
    if (this.#body) this.#body.fail(error);
    else this.#reject(error);
    // The stream never existed (failed in beforeSend): nothing will emit "close".
    if (stream === null) {
      this.#cleanup();
      this.#host.finished(this);
    }
  }

  #cleanup(): void {
    if (this.#onAbort) {
      this.#ctx.signal?.removeEventListener("abort", this.#onAbort);
      this.#onAbort = null;
    }
  }
}

/** A replacement header list keeps the Host the original had when it names none. */
function keepHost(original: HeaderList, replacement: HeaderList): HeaderList {
  if (replacement.some(([name]) => name.toLowerCase() === "host")) return replacement;
  const host = original.find(([name]) => name.toLowerCase() === "host");
  return host ? [host, ...replacement] : replacement;
}

function headerListFromObject(headers: http2.IncomingHttpHeaders): HeaderList {
  const list: HeaderList = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(":") || value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) list.push([name, item]);
    else list.push([name, String(value)]);
  }
  return list;
}
