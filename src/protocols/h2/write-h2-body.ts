/**
 * Writes a request body to an HTTP/2 stream with backpressure: node:http2 buffers what the
 * peer's flow-control window does not admit yet, so waiting for "drain" after a refused write
 * keeps memory bounded for bodies of any size.
 */
import type { ClientHttp2Stream } from "node:http2";
import { RequestException } from "../../errors/errors.ts";
import type { RequestBody, RequestTrailers, UploadProgress } from "../../transport/transport.ts";
import { trailerBlock } from "./h2-headers.ts";

type ProgressFn = ((progress: UploadProgress) => void) | null;

/**
 * Sends `body` and ends the stream; with `trailers` (the stream was opened with
 * `waitForTrailers`) their fields follow as the final HEADERS frame, a function's asked for once
 * every body byte has been handed to the stream. A null body is allowed only with trailers.
 * Resolves false when it stopped early because `isAbandoned()` said so.
 */
export async function writeH2Body(
  stream: ClientHttp2Stream,
  body: RequestBody | null,
  trailers: RequestTrailers | null,
  onUpload: ProgressFn,
  isAbandoned: () => boolean,
): Promise<boolean> {
  let sent = 0;
  let total: number | null = 0;
  if (body instanceof Uint8Array) {
    if (trailers === null) {
      stream.end(body);
      onUpload?.({ sent: body.byteLength, total: body.byteLength, done: true });
      return true;
    }
    stream.write(body);
    sent = total = body.byteLength;
  } else if (body !== null) {
    total = body.length;
    for await (const chunk of body.open()) {
      if (isAbandoned()) return false;
      if (chunk.byteLength === 0) continue;
      const ok = stream.write(chunk);
      sent += chunk.byteLength;
      onUpload?.({ sent, total, done: false });
      if (!ok) await drained(stream);
    }
    if (isAbandoned()) return false;
    if (total !== null && sent !== total) {
      throw new RequestException(`The request body produced ${sent} bytes but declared ${total}`);
    }
  }
  if (trailers !== null) {
    const fields = typeof trailers === "function" ? await trailers() : trailers;
    if (isAbandoned()) return false;
    const block = trailerBlock(fields);
    stream.once("wantTrailers", () => {
      try {
        stream.sendTrailers(block);
      } catch (error) {
        stream.destroy(error as Error);
      }
    });
  }
  stream.end();
  if (body !== null) onUpload?.({ sent, total: total ?? sent, done: true });
  return true;
}

function drained(stream: ClientHttp2Stream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.removeListener("drain", done);
      stream.removeListener("close", done);
      resolve();
    };
    // A closed stream ends the wait too: the caller sees it abandoned and stops.
    stream.once("drain", done);
    stream.once("close", done);
  });
}
