/**
 * A pull-based response body shared by every protocol engine. The engine pushes chunks as they
 * arrive; the consumer reads. When too much is buffered the engine is told to pause its source,
 * and to resume once the consumer catches up, so a slow reader never balloons memory.
 */
import type { ResponseBodyStream } from "../transport/transport.ts";
import type { HeaderList } from "./events.ts";

export interface BodyQueueHooks {
  /** Buffered bytes crossed the high-water mark: stop reading the source. */
  pause(): void;
  /** The consumer drained the buffer: read the source again. */
  resume(): void;
  /** The consumer waits for bytes (arm read timeouts), or stopped waiting. */
  waiting(isWaiting: boolean): void;
  /** The consumer gave up before the end. */
  cancel(): void;
}

const HIGH_WATER_MARK = 256 * 1024;
const EMPTY: HeaderList = [];

export class BodyQueue implements ResponseBodyStream {
  #chunks: Uint8Array[] = [];
  #head = 0;
  #buffered = 0;
  #ended = false;
  #error: unknown = null;
  /** Separate from #error: any value, even null or undefined, can be a failure reason. */
  #failed = false;
  #paused = false;
  #cancelled = false;
  #pending: { resolve: (chunk: Uint8Array | null) => void; reject: (error: unknown) => void } | null = null;
  /** A collect() waiting for the end; it buffers instead of pausing, up to its `maxBytes`. */
  #collector: {
    resolve: (chunks: Uint8Array[] | null) => void;
    reject: (error: unknown) => void;
    maxBytes: number;
  } | null = null;
  #hooks: BodyQueueHooks;
  trailers: HeaderList = EMPTY;

  constructor(hooks: BodyQueueHooks) {
    this.#hooks = hooks;
  }

  get complete(): boolean {
    return this.#ended && !this.#failed;
  }

  /** Bytes buffered and not yet read. */
  get buffered(): number {
    return this.#buffered;
  }

  push(chunk: Uint8Array): void {
    if (this.#cancelled || chunk.byteLength === 0) return;
    const pending = this.#pending;
    if (pending) {
      this.#pending = null;
      this.#hooks.waiting(false);
      pending.resolve(chunk);
      return;
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.byteLength;
    const collector = this.#collector;
    if (collector !== null) {
      // The collector takes everything at the end; past its limit it hands over to read().
      if (this.#buffered > collector.maxBytes) this.#settleCollector("null");
      else return;
    }
    if (!this.#paused && this.#buffered > HIGH_WATER_MARK) {
      this.#paused = true;
      this.#hooks.pause();
    }
  }

  end(trailers?: HeaderList): void {
    // Cancelled before the end: the consumer never got the whole body, so it must not look complete.
    if (this.#cancelled) return;
    if (trailers) this.trailers = trailers;
    this.#ended = true;
    if (this.#settleCollector("chunks")) return;
    const pending = this.#pending;
    if (pending && this.#head === this.#chunks.length) {
      this.#pending = null;
      this.#hooks.waiting(false);
      pending.resolve(null);
    }
  }

  fail(error: unknown): void {
    if (this.#ended || this.#cancelled) return;
    this.#error = error;
    this.#failed = true;
    this.#ended = true;
    if (this.#settleCollector("error")) return;
    const pending = this.#pending;
    if (pending) {
      this.#pending = null;
      this.#hooks.waiting(false);
      pending.reject(error);
    }
  }

  read(): Promise<Uint8Array | null> {
    if (this.#collector) return Promise.reject(new Error("Concurrent reads on one response body"));
    if (this.#head < this.#chunks.length) {
      const chunk = this.#chunks[this.#head]!;
      this.#chunks[this.#head++] = EMPTY_CHUNK;
      this.#buffered -= chunk.byteLength;
      if (this.#head === this.#chunks.length) {
        this.#chunks.length = 0;
        this.#head = 0;
      }
      if (this.#paused && this.#buffered <= HIGH_WATER_MARK / 2) {
        this.#paused = false;
        this.#hooks.resume();
      }
      return Promise.resolve(chunk);
    }
    if (this.#failed) return Promise.reject(this.#error);
    if (this.#ended || this.#cancelled) return Promise.resolve(null);
    if (this.#pending) return Promise.reject(new Error("Concurrent reads on one response body"));
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      if (this.#paused) {
        this.#paused = false;
        this.#hooks.resume();
      }
      this.#hooks.waiting(true);
    });
  }

  collect(maxBytes: number): Promise<Uint8Array[] | null> {
    if (this.#pending || this.#collector) {
      return Promise.reject(new Error("Concurrent reads on one response body"));
    }
    if (this.#failed) return Promise.reject(this.#error);
    if (this.#buffered > maxBytes) return Promise.resolve(null);
    if (this.#ended || this.#cancelled) return Promise.resolve(this.#takeAll());
    return new Promise((resolve, reject) => {
      this.#collector = { resolve, reject, maxBytes };
      if (this.#paused) {
        this.#paused = false;
        this.#hooks.resume();
      }
      this.#hooks.waiting(true);
    });
  }

  /** Settles a pending collect() with `chunks` (or its error); true when there was one. */
  #settleCollector(outcome: "chunks" | "null" | "error"): boolean {
    const collector = this.#collector;
    if (collector === null) return false;
    this.#collector = null;
    this.#hooks.waiting(false);
    if (outcome === "error") collector.reject(this.#error);
    else collector.resolve(outcome === "chunks" ? this.#takeAll() : null);
    return true;
  }

  #takeAll(): Uint8Array[] {
    const chunks = this.#head === 0 ? this.#chunks : this.#chunks.slice(this.#head);
    this.#chunks = [];
    this.#head = 0;
    this.#buffered = 0;
    return chunks;
  }

  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    // A collect() in flight gets what arrived so far, as a reader would have.
    const collector = this.#collector;
    this.#collector = null;
    const collected = collector ? this.#takeAll() : null;
    this.#chunks.length = 0;
    this.#head = 0;
    this.#buffered = 0;
    const pending = this.#pending;
    this.#pending = null;
    // Every waiting(true) gets its waiting(false), or a read timeout stays armed.
    if (pending || collector) this.#hooks.waiting(false);
    if (!this.#ended) this.#hooks.cancel();
    pending?.resolve(null);
    collector?.resolve(collected);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    try {
      for (let chunk = await this.read(); chunk !== null; chunk = await this.read()) yield chunk;
    } finally {
      if (!this.#ended) this.cancel();
    }
  }
}

const EMPTY_CHUNK = new Uint8Array(0);
