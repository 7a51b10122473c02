/**
 * Writes a request body to an HTTP/2 stream with backpressure: node:http2 buffers what the
 * peer's flow-control window does not admit yet, so waiting for "drain" after a refused write
 * keeps memory bounded for bodies of any size.
 */
import type { ClientHttp2Stream } from "node:http2";
import { RequestException } from "../../errors/errors.ts";
import type { RequestBody, UploadProgress } from "../../transport/transport.ts";

type ProgressFn = ((progress: UploadProgress) => void) | null;

/**
 * Sends `body` (never null: a bodyless request ends the stream with its headers) and ends the
 * stream. Resolves false when it stopped early because `isAbandoned()` said so.
 */
export async function writeH2Body(
  stream: ClientHttp2Stream,
  body: RequestBody,
  onUpload: ProgressFn,
  isAbandoned: () => boolean,
): Promise<boolean> {
  if (body instanceof Uint8Array) {
    stream.end(body);
    onUpload?.({ sent: body.byteLength, total: body.byteLength, done: true });
    return true;
  }
  const total = body.length;
  let sent = 0;
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
  stream.end();
  onUpload?.({ sent, total: total ?? sent, done: true });
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
