/**
 * Wraps a transport body to report download progress (bytes off the wire, still encoded,
 * against Content-Length), for progress bars.
 */
import type { DownloadProgress } from "../hooks/hooks.ts";
import type { HeaderList } from "../protocols/events.ts";
import type { ResponseBodyStream } from "../transport/transport.ts";

export class ProgressBody implements ResponseBodyStream {
  readonly #inner: ResponseBodyStream;
  readonly #report: (progress: DownloadProgress) => void;
  readonly #total: number | null;
  #received = 0;

  constructor(inner: ResponseBodyStream, total: number | null, report: (progress: DownloadProgress) => void) {
    this.#inner = inner;
    this.#total = total;
    this.#report = report;
  }

  get trailers(): HeaderList {
    return this.#inner.trailers;
  }

  get complete(): boolean {
    return this.#inner.complete;
  }

  async read(): Promise<Uint8Array | null> {
    const chunk = await this.#inner.read();
    if (chunk === null) {
      this.#report({ received: this.#received, total: this.#total ?? this.#received, done: true });
      return null;
    }
    this.#received += chunk.byteLength;
    this.#report({ received: this.#received, total: this.#total, done: false });
    return chunk;
  }

  cancel(): void {
    this.#inner.cancel();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    try {
      for (let chunk = await this.read(); chunk !== null; chunk = await this.read()) yield chunk;
    } finally {
      if (!this.#inner.complete) this.cancel();
    }
  }
}
