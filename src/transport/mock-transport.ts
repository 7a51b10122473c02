/**
 * A transport that answers from a function instead of the network: mount it on a Session to
 * unit-test code that uses niquests. The handler sees exactly what would go on the wire.
 */
import type { HeaderList } from "../protocols/events.ts";
import type {
  ConnectionInfo,
  ResponseBodyStream,
  Transport,
  TransportContext,
  TransportRequest,
  TransportResponse,
} from "./transport.ts";

export interface MockResponse {
  status?: number;
  reason?: string;
  headers?: Record<string, string | string[]> | HeaderList;
  body?: string | Uint8Array | null;
  trailers?: HeaderList;
}

/**
 * What a mock handler sees: the request as it would go on the wire, trailers resolved. A
 * request with a trailers function has its body "sent" first (a stream body is read into
 * bytes), so the function sees the body consumed, as it would on a connection.
 */
export interface MockRequest extends TransportRequest {
  trailers: HeaderList | null;
}

export type MockHandler = (
  request: MockRequest,
  ctx: TransportContext,
) => MockResponse | Promise<MockResponse>;

export class MockTransport implements Transport {
  readonly #handler: MockHandler;
  /** Every request handled, in order. */
  readonly requests: MockRequest[] = [];
  closed = false;

  constructor(handler: MockHandler) {
    this.#handler = handler;
  }

  async handle(request: TransportRequest, ctx: TransportContext): Promise<TransportResponse> {
    ctx.signal?.throwIfAborted();
    if (ctx.beforeSend) {
      const headers = await ctx.beforeSend(MOCK_CONNECTION);
      if (headers) request.headers = headers;
    }
    const sent = await resolveTrailers(request);
    this.requests.push(sent);
    const answer = await this.#handler(sent, ctx);
    const body =
      typeof answer.body === "string" ? new TextEncoder().encode(answer.body) : (answer.body ?? null);
    return {
      status: answer.status ?? 200,
      reason: answer.reason ?? "",
      httpVersion: 11,
      headers: toList(answer.headers),
      body: bytesStream(body ?? new Uint8Array(0), answer.trailers ?? []),
      connInfo: null,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

async function resolveTrailers(request: TransportRequest): Promise<MockRequest> {
  const trailers = request.trailers ?? null;
  if (typeof trailers !== "function") return Object.assign(request, { trailers });
  const body = request.body;
  if (body !== null && !(body instanceof Uint8Array)) {
    const chunks: Uint8Array[] = [];
    let length = 0;
    for await (const chunk of body.open()) {
      chunks.push(chunk);
      length += chunk.byteLength;
    }
    const bytes = new Uint8Array(length);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
    request.body = bytes;
  }
  return Object.assign(request, { trailers: await trailers() });
}

/** What a mocked "connection" reports to preSend hooks. */
const MOCK_CONNECTION: ConnectionInfo = {
  destinationAddress: null,
  tlsVersion: null,
  cipher: null,
  certificateDer: null,
  certificateDict: null,
  issuerCertificateDer: null,
  httpVersion: 11,
  resolutionLatency: null,
  establishedLatency: null,
  tlsHandshakeLatency: null,
  requestSentLatency: null,
  reused: false,
};

function toList(headers: MockResponse["headers"]): HeaderList {
  if (!headers) return [];
  if (Array.isArray(headers)) return headers;
  const list: HeaderList = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const item of Array.isArray(value) ? value : [value]) list.push([name, item]);
  }
  return list;
}

/** A body stream over bytes already in memory. */
export function bytesStream(data: Uint8Array, trailers: HeaderList = []): ResponseBodyStream {
  let done = data.byteLength === 0;
  return {
    trailers,
    get complete() {
      return done;
    },
    read() {
      if (done) return Promise.resolve(null);
      done = true;
      return Promise.resolve(data);
    },
    cancel() {
      done = true;
    },
    async *[Symbol.asyncIterator]() {
      if (!done) {
        done = true;
        yield data;
      }
    },
  };
}
