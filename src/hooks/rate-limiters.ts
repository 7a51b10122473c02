/**
 * Client-side rate limiters that plug into a Session as hooks, like Niquests' LeakyBucketLimiter
 * and TokenBucketLimiter: `new Session({ hooks: limiter })` or `mergeHooks(limiter, other)`.
 *
 * A limiter's only own enumerable property is `preRequest` (a bound async function), so it *is*
 * a `Hooks` object and passes mergeHooks' unknown-event check. Both limiters share one scheduler
 * (GCRA, "virtual scheduling"): a bucket remembers the theoretical arrival time (TAT) of the next
 * request, and each caller reserves its slot synchronously, before any await, so concurrent
 * callers queue up in call order instead of all seeing the same free slot.
 */
import type { PreparedRequest } from "../models/prepared-request.ts";
import type { Hooks } from "./hooks.ts";

/**
 * Time source and sleeper, injectable **for tests** so they can drive a fake clock. `now` is in
 * milliseconds on any monotonic scale (default `performance.now()`). `sleep` must resolve after
 * `ms` and, if `signal` aborts first, clear its timer and reject with `signal.reason`.
 */
export interface LimiterClock {
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface LeakyBucketLimiterOptions extends LimiterClock {
  /** Requests per second; they leave one every `1000 / rate` ms. Finite and > 0. */
  rate: number;
  /** One bucket per URL host (`host:port`) instead of one for the whole limiter (default false). */
  perHost?: boolean;
}

export interface TokenBucketLimiterOptions extends LimiterClock {
  /** Tokens added per second. Finite and > 0. */
  rate: number;
  /** Largest burst: the bucket starts full and never holds more (default `max(1, rate)`, ≥ 1). */
  capacity?: number;
  /** One bucket per URL host (`host:port`) instead of one for the whole limiter (default false). */
  perHost?: boolean;
}

/** Arguments of `acquire()` for code that paces work by hand instead of through the hook. */
export interface AcquireOptions {
  /** Picks the bucket when the limiter is `perHost` (required then); ignored otherwise. */
  url?: string | URL;
  /** Aborting it stops the wait and rejects with `signal.reason`. */
  signal?: AbortSignal | null;
}

interface Bucket {
  /** When the bucket is full again (ms, clock scale); `tat <= now` means idle. */
  tat: number;
  /** Counts reservations, so a cancelled one can tell whether anyone queued behind it. */
  ticket: number;
}

/** Below this many buckets the per-host map is never swept. */
const SWEEP_MIN = 64;

class Scheduler {
  readonly #interval: number;
  readonly #tolerance: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #buckets = new Map<string, Bucket>();
  #sweepAt = SWEEP_MIN;

  constructor(rate: number, capacity: number, clock: LimiterClock) {
    this.#interval = 1000 / rate;
    // A full bucket lets `capacity` requests through at once: the first at the TAT, the other
    // capacity-1 up to this far ahead of it.
    this.#tolerance = (capacity - 1) * this.#interval;
    this.#now = clock.now ?? (() => performance.now());
    this.#sleep = clock.sleep ?? sleep;
  }

  async acquire(key: string, signal: AbortSignal | null): Promise<void> {
    signal?.throwIfAborted();
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#sweepAt) this.#sweep(now);
      bucket = { tat: now, ticket: 0 };
      this.#buckets.set(key, bucket);
    }
    const start = Math.max(now, bucket.tat - this.#tolerance);
    bucket.tat = Math.max(bucket.tat, start) + this.#interval;
    const ticket = ++bucket.ticket;
    const delay = start - now;
    // No timer at all when a slot is free: idle limiters hold no resources.
    if (delay <= 0) return;
    if (signal === null) return this.#sleep(delay);
    try {
      await this.#sleep(delay, signal);
    } catch (error) {
      if (signal.aborted) this.#refund(key, bucket, ticket);
      throw error;
    }
  }

  /**
   * Gives a cancelled slot back when nobody reserved after it (then rolling the TAT back is
   * exact). A slot in the middle of the queue is forfeited: later callers already hold times
   * computed from it, and moving them earlier could exceed the rate.
   */
  #refund(key: string, bucket: Bucket, ticket: number): void {
    if (this.#buckets.get(key) === bucket && bucket.ticket === ticket) bucket.tat -= this.#interval;
  }

  /** An idle bucket behaves exactly like a missing one, so dropping it only frees memory. */
  #sweep(now: number): void {
    for (const [key, bucket] of this.#buckets) if (bucket.tat <= now) this.#buckets.delete(key);
    // Doubling the threshold keeps sweeps amortised O(1) per new host.
    this.#sweepAt = Math.max(SWEEP_MIN, this.#buckets.size * 2);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    // Rounded up: Node's timer clock is whole milliseconds and must not fire before the slot.
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.ceil(ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function checkOptions(options: unknown, allowed: readonly string[], what: string): void {
  if (typeof options !== "object" || options === null)
    throw new TypeError(`${what} options must be an object`);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new TypeError(`Unknown ${what} option "${key}"`);
  }
  const { rate, perHost, now, sleep } = options as Record<string, unknown>;
  if (typeof rate !== "number" || !Number.isFinite(rate) || rate <= 0)
    throw new TypeError(`${what}: rate must be a finite number > 0, got ${String(rate)}`);
  if (perHost !== undefined && typeof perHost !== "boolean")
    throw new TypeError(`${what}: perHost must be a boolean`);
  if (now !== undefined && typeof now !== "function") throw new TypeError(`${what}: now must be a function`);
  if (sleep !== undefined && typeof sleep !== "function")
    throw new TypeError(`${what}: sleep must be a function`);
}

function bucketKey(perHost: boolean, url: string | URL | undefined, what: string): string {
  if (!perHost) return "";
  if (url === undefined) throw new TypeError(`${what} is perHost: acquire() needs a url`);
  return (typeof url === "string" ? new URL(url) : url).host;
}

/**
 * Spaces requests evenly: each one leaves at least `1000 / rate` ms after the previous one, with
 * no bursts. Concurrent requests queue in call order.
 *
 * Use it as Session hooks: `new Session({ hooks: new LeakyBucketLimiter({ rate: 5 }) })`.
 *
 * The wait happens in `preRequest`, which runs once per `send()`: redirect hops are not paced
 * again, and the wait counts against the request's total timeout. Hooks do not receive the
 * request's AbortSignal, so a request cancelled while queued still waits for its slot and then
 * rejects; call `acquire({ signal })` yourself when the wait must be cancellable.
 */
export class LeakyBucketLimiter implements Hooks {
  /** The hook: resolves once this request's slot has come (bound, never replaces the request). */
  readonly preRequest: (request: PreparedRequest) => Promise<void>;
  readonly #rate: number;
  readonly #perHost: boolean;
  readonly #scheduler: Scheduler;

  constructor(options: LeakyBucketLimiterOptions) {
    checkOptions(options, ["rate", "perHost", "now", "sleep"], "LeakyBucketLimiter");
    this.#rate = options.rate;
    this.#perHost = options.perHost ?? false;
    this.#scheduler = new Scheduler(options.rate, 1, options);
    this.preRequest = async (request) =>
      this.#scheduler.acquire(this.#perHost ? request.parsedUrl().host : "", null);
  }

  /** Requests per second. */
  get rate(): number {
    return this.#rate;
  }

  /** Whether each URL host has its own bucket. */
  get perHost(): boolean {
    return this.#perHost;
  }

  /** Waits for the next slot outside of a Session (reserved at call time, in call order). */
  acquire(options: AcquireOptions = {}): Promise<void> {
    return acquireWith(this.#scheduler, this.#perHost, options, "LeakyBucketLimiter");
  }
}

/**
 * Allows bursts of up to `capacity` requests, then one per `1000 / rate` ms as tokens refill.
 * The bucket starts full; each request takes a token or queues (in call order) for the next one.
 *
 * Use it as Session hooks: `new Session({ hooks: new TokenBucketLimiter({ rate: 10, capacity: 20 }) })`.
 *
 * The wait happens in `preRequest`, which runs once per `send()`: redirect hops take no token,
 * and the wait counts against the request's total timeout. Hooks do not receive the request's
 * AbortSignal, so a request cancelled while queued still waits for its token and then rejects;
 * call `acquire({ signal })` yourself when the wait must be cancellable.
 */
export class TokenBucketLimiter implements Hooks {
  /** The hook: resolves once this request holds a token (bound, never replaces the request). */
  readonly preRequest: (request: PreparedRequest) => Promise<void>;
  readonly #rate: number;
  readonly #capacity: number;
  readonly #perHost: boolean;
  readonly #scheduler: Scheduler;

  constructor(options: TokenBucketLimiterOptions) {
    checkOptions(options, ["rate", "capacity", "perHost", "now", "sleep"], "TokenBucketLimiter");
    const capacity = options.capacity ?? Math.max(1, options.rate);
    if (typeof capacity !== "number" || !Number.isFinite(capacity) || capacity < 1)
      throw new TypeError(
        `TokenBucketLimiter: capacity must be a finite number >= 1, got ${String(capacity)}`,
      );
    this.#rate = options.rate;
    this.#capacity = capacity;
    this.#perHost = options.perHost ?? false;
    this.#scheduler = new Scheduler(options.rate, capacity, options);
    this.preRequest = async (request) =>
      this.#scheduler.acquire(this.#perHost ? request.parsedUrl().host : "", null);
  }

  /** Tokens added per second. */
  get rate(): number {
    return this.#rate;
  }

  /** Largest burst (tokens in a full bucket). */
  get capacity(): number {
    return this.#capacity;
  }

  /** Whether each URL host has its own bucket. */
  get perHost(): boolean {
    return this.#perHost;
  }

  /** Waits for a token outside of a Session (reserved at call time, in call order). */
  acquire(options: AcquireOptions = {}): Promise<void> {
    return acquireWith(this.#scheduler, this.#perHost, options, "TokenBucketLimiter");
  }
}

async function acquireWith(
  scheduler: Scheduler,
  perHost: boolean,
  options: AcquireOptions,
  what: string,
): Promise<void> {
  // Both steps run before the first await, so the reservation is still made at call time.
  const key = bucketKey(perHost, options.url, what);
  return scheduler.acquire(key, options.signal ?? null);
}
