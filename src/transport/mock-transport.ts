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

export type MockHandler = (
  request: TransportRequest,
  ctx: TransportContext,
) => MockResponse | Promise<MockResponse>;

export class MockTransport implements Transport {
  readonly #handler: MockHandler;
  /** Every request handled, in order. */
  readonly requests: TransportRequest[] = [];
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
    this.requests.push(request);
    const answer = await this.#handler(request, ctx);
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
