/**
 * Writes a request head and body to a socket with backpressure. Bytes bodies go out in the same
 * write as the head (one syscall for the common small request); streams are framed with
 * Content-Length when their length is known, chunked otherwise. Trailers force chunked framing.
 */
import type { Socket } from "node:net";
import { RequestException } from "../../errors/errors.ts";
import type { RequestBody, RequestTrailers, StreamBody, UploadProgress } from "../../transport/transport.ts";
import { encodeChunk, lastChunk } from "./request-serializer.ts";

type ProgressFn = ((progress: UploadProgress) => void) | null;

/** Small bodies are copied next to the head; larger ones are written after it, uncopied. */
const COALESCE_LIMIT = 64 * 1024;

export async function writeBody(
  socket: Socket,
  head: Uint8Array,
  body: RequestBody | null,
  trailers: RequestTrailers | null,
  onUpload: ProgressFn,
  isAbandoned: () => boolean,
): Promise<void> {
  if (trailers !== null) return writeChunkedWithTrailers(socket, head, body, trailers, onUpload, isAbandoned);
  if (body === null) {
    socket.write(head);
    return;
  }
  if (body instanceof Uint8Array) {
    if (body.byteLength <= COALESCE_LIMIT) {
      socket.write(Buffer.concat([head, body]));
    } else {
      socket.cork();
      socket.write(head);
      socket.write(body);
      socket.uncork();
    }
    onUpload?.({ sent: body.byteLength, total: body.byteLength, done: true });
    if (socket.writableNeedDrain) await drained(socket);
    return;
  }
  socket.write(head);
  const total = body.length;
  const chunked = total === null;
  const sent = await writeStream(socket, body, chunked, onUpload, isAbandoned);
  if (sent === null) return;
  if (!chunked && sent !== total) {
    throw new RequestException(`The request body produced ${sent} bytes but declared ${total}`);
  }
  if (chunked) socket.write(lastChunk());
  onUpload?.({ sent, total: total ?? sent, done: true });
}

/**
 * Trailers need chunked framing whatever the body (RFC 9112 §7.1.2): bytes become one chunk, no
 * body an empty one, and the trailer section follows the last chunk. A function's fields are
 * asked for only once every body byte has been handed to the socket.
 */
async function writeChunkedWithTrailers(
  socket: Socket,
  head: Uint8Array,
  body: RequestBody | null,
  trailers: RequestTrailers,
  onUpload: ProgressFn,
  isAbandoned: () => boolean,
): Promise<void> {
  let sent = 0;
  const total = body === null ? 0 : body instanceof Uint8Array ? body.byteLength : body.length;
  if (body === null || body instanceof Uint8Array) {
    socket.cork();
    socket.write(head);
    if (body !== null) for (const piece of encodeChunk(body)) socket.write(piece);
    socket.uncork();
    sent = total ?? 0;
  } else {
    socket.write(head);
    const streamed = await writeStream(socket, body, true, onUpload, isAbandoned);
    if (streamed === null) return;
    if (total !== null && streamed !== total) {
      throw new RequestException(`The request body produced ${streamed} bytes but declared ${total}`);
    }
    sent = streamed;
  }
  const fields = typeof trailers === "function" ? await trailers() : trailers;
  if (isAbandoned()) return;
  socket.write(lastChunk(fields));
  if (body !== null) onUpload?.({ sent, total: total ?? sent, done: true });
  if (socket.writableNeedDrain) await drained(socket);
}

/** Writes a stream body's chunks; resolves with the byte count, or null when abandoned. */
async function writeStream(
  socket: Socket,
  body: StreamBody,
  chunked: boolean,
  onUpload: ProgressFn,
  isAbandoned: () => boolean,
): Promise<number | null> {
  const total = body.length;
  let sent = 0;
  for await (const chunk of body.open()) {
    if (isAbandoned()) return null;
    if (chunk.byteLength === 0) continue;
    let ok = true;
    if (chunked) for (const piece of encodeChunk(chunk)) ok = socket.write(piece);
    else ok = socket.write(chunk);
    sent += chunk.byteLength;
    onUpload?.({ sent, total, done: false });
    if (!ok) await drained(socket);
  }
  return isAbandoned() ? null : sent;
}

function drained(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      socket.removeListener("close", onClose);
      resolve();
    };
    const onClose = (): void => {
      socket.removeListener("drain", onDrain);
      reject(new Error("Socket closed while sending the request body"));
    };
    socket.once("drain", onDrain);
    socket.once("close", onClose);
  });
}
