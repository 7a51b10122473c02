/**
 * Retry policy, urllib3-style: counters for connect, read and status retries under an optional
 * total, exponential backoff with jitter, and Retry-After. Connection failures before the
 * request left are always safe to retry; anything after may have reached the server, so only
 * methods listed in `allowedMethods` are replayed.
 */

export interface RetryOptions {
  /** Retries of any kind; null for no overall cap (the per-kind counters still apply). */
  total?: number | null;
  /** Retries after failing to connect (the request was not sent). */
  connect?: number | null;
  /** Retries after the request was sent and the response failed (reset, read timeout). */
  read?: number | null;
  /** Retries on a status in `statusForcelist` (or with Retry-After on 413/429/503). */
  status?: number | null;
  /** Redirects followed at most (the Session's `maxRedirects` also applies). */
  redirect?: number | null;
  /** Backoff before the nth consecutive retry: backoffFactor × 2^(n-1) ms (none before the first). */
  backoffFactor?: number;
  /** Cap on one backoff, ms (default 120 000). */
  backoffMax?: number;
  /** Random extra delay up to this many ms. */
  backoffJitter?: number;
  /** Statuses that trigger a retry. */
  statusForcelist?: Iterable<number>;
  /** Methods replayed after a read error or a forcelisted status (idempotent ones by default). */
  allowedMethods?: Iterable<string>;
  /** Wait as long as a 413/429/503 response's Retry-After says (default true). */
  respectRetryAfterHeader?: boolean;
  /** When status retries run out: throw RetryError (true, default) or return the last response. */
  raiseOnStatus?: boolean;
}

export const DEFAULT_ALLOWED_METHODS = ["HEAD", "GET", "PUT", "DELETE", "OPTIONS", "TRACE"];
export const RETRY_AFTER_STATUSES = new Set([413, 429, 503]);

export class RetryConfiguration {
  readonly total: number | null;
  readonly connect: number | null;
  readonly read: number | null;
  readonly status: number | null;
  readonly redirect: number | null;
  readonly backoffFactor: number;
  readonly backoffMax: number;
  readonly backoffJitter: number;
  readonly statusForcelist: ReadonlySet<number>;
  readonly allowedMethods: ReadonlySet<string>;
  readonly respectRetryAfterHeader: boolean;
  readonly raiseOnStatus: boolean;

  constructor(options: RetryOptions = {}) {
    this.total = count(options.total, "total");
    this.connect = count(options.connect, "connect");
    this.read = count(options.read, "read");
    this.status = count(options.status, "status");
    this.redirect = count(options.redirect, "redirect");
    this.backoffFactor = ms(options.backoffFactor ?? 0, "backoffFactor");
    this.backoffMax = ms(options.backoffMax ?? 120_000, "backoffMax");
    this.backoffJitter = ms(options.backoffJitter ?? 0, "backoffJitter");
    this.statusForcelist = new Set(options.statusForcelist ?? []);
    this.allowedMethods = new Set(
      [...(options.allowedMethods ?? DEFAULT_ALLOWED_METHODS)].map((m) => m.toUpperCase()),
    );
    this.respectRetryAfterHeader = options.respectRetryAfterHeader ?? true;
    this.raiseOnStatus = options.raiseOnStatus ?? true;
  }

  /** `retries` as users give it: a number (total), false (none), or a configuration. */
  static from(input: RetryInput | undefined, fallback: RetryConfiguration): RetryConfiguration {
    if (input === undefined) return fallback;
    if (input === false || input === null) return NO_RETRIES;
    if (input instanceof RetryConfiguration) return input;
    if (typeof input === "number") return new RetryConfiguration({ total: input });
    throw new TypeError("retries must be a number, false or a RetryConfiguration");
  }
}

export type RetryInput = number | false | null | RetryConfiguration;

/** No retries at all. */
export const NO_RETRIES = new RetryConfiguration({ total: 0 });

/**
 * The Session default: one more try when connecting failed (nothing was sent), never a replay
 * of a request that may have reached the server.
 */
export const DEFAULT_RETRIES = new RetryConfiguration({
  total: 1,
  connect: 1,
  read: 0,
  status: 0,
  respectRetryAfterHeader: false,
});

function count(value: number | null | undefined, name: string): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value) || value < 0)
    throw new TypeError(`retries.${name} must be a whole number >= 0`);
  return value;
}

function ms(value: number, name: string): number {
  if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value)) {
    throw new TypeError(`retries.${name} must be a finite number of milliseconds >= 0`);
  }
  return value;
}
