/**
 * Zstandard content decoding on every Node version: the pure-JS `fzstd` decoder behind a
 * frame-header guard, since fzstd allocates whatever window a frame asks for. (Node 22's native
 * zstd stream is not used: it stops after the first of concatenated frames, nodejs/node#64741.)
 */
import { Decompress } from "fzstd";
import { ContentDecodingError } from "../errors/errors.ts";

/**
 * Largest window accepted (RFC 9659: the "zstd" content coding limits Window_Size to 8 MB;
 * browsers and libzstd-based clients configured for HTTP reject larger ones).
 */
export const ZSTD_MAX_WINDOW = 8 * 1024 * 1024;

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_RESERVED = 3;
const BLOCK_RLE = 1;

/** The error thrown when decoded output would pass `cap` bytes. */
export function sizeExceeded(cap: number): ContentDecodingError {
  return new ContentDecodingError(`Decoded body exceeds the maxDecodedBytes limit of ${cap} bytes`);
}

function readLE(bytes: ArrayLike<number>, at: number, size: number): number {
  let value = 0;
  for (let i = size - 1; i >= 0; i--) value = value * 256 + bytes[at + i]!;
  return value;
}

/**
 * Follows frame and block boundaries as bytes stream past, and vets every frame header before
 * fzstd sees it: window at most {@link ZSTD_MAX_WINDOW}, declared content size within the cap.
 */
class FrameGuard {
  readonly #cap: number | null;
  /** Bytes of a header (frame or block) collected so far. */
  #head: number[] = [];
  /** Bytes still to skip (block content, checksum, skippable frame). */
  #skip = 0;
  #state: "frame" | "block" = "frame";
  #checksum = false;

  constructor(cap: number | null) {
    this.#cap = cap;
  }

  check(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - i);
        this.#skip -= n;
        i += n;
        continue;
      }
      this.#head.push(chunk[i++]!);
      if (this.#state === "frame") this.#frameByte();
      else this.#blockByte();
    }
  }

  #frameByte(): void {
    const head = this.#head;
    if (head.length < 4) return;
    const magic = readLE(head, 0, 4);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (head.length < 8) return;
      this.#skip = readLE(head, 4, 4);
      this.#head = [];
      return;
    }
    if (magic !== ZSTD_MAGIC) throw new ContentDecodingError("Invalid zstd frame magic number");
    if (head.length < 5) return;
    const descriptor = head[4]!;
    const singleSegment = (descriptor >> 5) & 1;
    const dictBytes = [0, 1, 2, 4][descriptor & 3]!;
    const fcsFlag = descriptor >> 6;
    const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
    const size = 5 + (singleSegment ? 0 : 1) + dictBytes + fcsBytes;
    if (head.length < size) return;
    const bytes = head;
    let contentSize: number | null = null;
    if (fcsBytes > 0) contentSize = readLE(bytes, size - fcsBytes, fcsBytes) + (fcsFlag === 1 ? 256 : 0);
    let window: number;
    if (singleSegment) window = contentSize ?? 0;
    else {
      const exponent = bytes[5]! >> 3;
      const base = 2 ** (10 + exponent);
      window = base + (base / 8) * (bytes[5]! & 7);
    }
    if (window > ZSTD_MAX_WINDOW) {
      throw new ContentDecodingError(`zstd window of ${window} bytes exceeds the ${ZSTD_MAX_WINDOW} limit`);
    }
    if (this.#cap !== null && contentSize !== null && contentSize > this.#cap) throw sizeExceeded(this.#cap);
    this.#checksum = ((descriptor >> 2) & 1) === 1;
    this.#state = "block";
    this.#head = [];
  }

  #blockByte(): void {
    const head = this.#head;
    if (head.length < 3) return;
    const header = head[0]! | (head[1]! << 8) | (head[2]! << 16);
    const last = header & 1;
    const type = (header >> 1) & 3;
    if (type === BLOCK_RESERVED) throw new ContentDecodingError("Invalid zstd block type");
    this.#skip = type === BLOCK_RLE ? 1 : header >>> 3;
    this.#head = [];
    if (last) {
      this.#skip += this.#checksum ? 4 : 0;
      this.#state = "frame";
    }
  }
}

/** Incremental zstd decoding with a cap on output; errors are {@link ContentDecodingError}s. */
export class ZstdDecoder {
  readonly #cap: number | null;
  readonly #guard: FrameGuard;
  readonly #engine: Decompress;
  #out: Uint8Array[] = [];
  #total = 0;
  #seen = false;

  constructor(cap: number | null) {
    this.#cap = cap;
    this.#guard = new FrameGuard(cap);
    this.#engine = new Decompress((data) => {
      this.#total += data.length;
      if (this.#cap !== null && this.#total > this.#cap) throw sizeExceeded(this.#cap);
      if (data.length > 0) this.#out.push(data);
    });
  }

  /** Decodes `chunk` and returns the output it completed. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length === 0) return [];
    this.#seen = true;
    this.#run(() => {
      this.#guard.check(chunk);
      this.#engine.push(chunk);
    });
    return this.#take();
  }

  /** Ends the input; throws when the data stopped mid-frame. An empty input decodes to nothing. */
  end(): Uint8Array[] {
    if (this.#seen) this.#run(() => this.#engine.push(new Uint8Array(0), true));
    return this.#take();
  }

  #take(): Uint8Array[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }

  #run(step: () => void): void {
    try {
      step();
    } catch (error) {
      if (error instanceof ContentDecodingError) throw error;
      throw new ContentDecodingError("Failed to decode zstd content", { cause: error });
    }
  }
}
