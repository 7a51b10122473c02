/**
 * Writes a request head and body to a socket with backpressure. Bytes bodies go out in the same
 * write as the head (one syscall for the common small request); streams are framed with
 * Content-Length when their length is known, chunked otherwise.
 */
import type { Socket } from "node:net";
import { RequestException } from "../../errors/errors.ts";
import type { RequestBody, UploadProgress } from "../../transport/transport.ts";
import { encodeChunk, lastChunk } from "./request-serializer.ts";

type ProgressFn = ((progress: UploadProgress) => void) | null;

/** Small bodies are copied next to the head; larger ones are written after it, uncopied. */
const COALESCE_LIMIT = 64 * 1024;

export async function writeBody(
  socket: Socket,
  head: Uint8Array,
  body: RequestBody | null,
  onUpload: ProgressFn,
  isAbandoned: () => boolean,
): Promise<void> {
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
  let sent = 0;
  for await (const chunk of body.open()) {
    if (isAbandoned()) return;
    if (chunk.byteLength === 0) continue;
    let ok = true;
    if (chunked) for (const piece of encodeChunk(chunk)) ok = socket.write(piece);
    else ok = socket.write(chunk);
    sent += chunk.byteLength;
    onUpload?.({ sent, total, done: false });
    if (!ok) await drained(socket);
  }
  if (isAbandoned()) return;
  if (!chunked && sent !== total) {
    throw new RequestException(`The request body produced ${sent} bytes but declared ${total}`);
  }
  if (chunked) socket.write(lastChunk());
  onUpload?.({ sent, total: total ?? sent, done: true });
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
