/**
 * Publishes `niquests:request:end` / `niquests:request:error` for a response body. The body is
 * wrapped only while someone listens: an unobserved request keeps its body stream as it is.
 */
import { requestEndChannel, requestErrorChannel } from "../diagnostics/channels.ts";
import type { ResponseBodyStream, TransportRequest, TransportResponse } from "./transport.ts";

export function observeBody(request: TransportRequest, response: TransportResponse): TransportResponse {
  if (!requestEndChannel.hasSubscribers && !requestErrorChannel.hasSubscribers) return response;
  const inner = response.body;
  let received = 0;
  let reported = false;
  const read = async (): Promise<Uint8Array | null> => {
    let chunk: Uint8Array | null;
    try {
      chunk = await inner.read();
    } catch (error) {
      if (!reported && requestErrorChannel.hasSubscribers) requestErrorChannel.publish({ request, error });
      reported = true;
      throw error;
    }
    if (chunk !== null) received += chunk.byteLength;
    else if (!reported) {
      reported = true;
      if (requestEndChannel.hasSubscribers) {
        requestEndChannel.publish({
          request,
          response: { status: response.status, reason: response.reason, httpVersion: response.httpVersion },
          bodyBytes: received,
          /** False when the body was cancelled before its end. */
          complete: inner.complete,
          trailers: inner.trailers,
          connInfo: response.connInfo,
        });
      }
    }
    return chunk;
  };
  const body: ResponseBodyStream = {
    read,
    get trailers() {
      return inner.trailers;
    },
    get complete() {
      return inner.complete;
    },
    cancel: () => inner.cancel(),
    async *[Symbol.asyncIterator]() {
      try {
        for (let chunk = await read(); chunk !== null; chunk = await read()) yield chunk;
      } finally {
        if (!inner.complete) inner.cancel();
      }
    },
  };
  return { ...response, body };
}
