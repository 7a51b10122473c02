/**
 * One request's walk through its retry budget. Each decision either returns how long to wait
 * before trying again or ends the walk: the last error is thrown as it is, and a status that
 * keeps failing ends in RetryError (or the last response, with `raiseOnStatus: false`).
 */
import {
  ConnectionError,
  ConnectTimeout,
  ProxyError,
  ReadTimeout,
  RetryError,
  SSLError,
} from "../errors/errors.ts";
import type { Response } from "../models/response.ts";
import { isConnectFailure } from "../transport/map-errors.ts";
import { parseRetryAfter } from "./retry-after.ts";
import { RETRY_AFTER_STATUSES, type RetryConfiguration } from "./retry-configuration.ts";

type Kind = "connect" | "read" | "status";

export class RetryState {
  readonly #config: RetryConfiguration;
  #total: number | null;
  readonly #left: Record<Kind, number | null>;
  #attempts = 0;

  constructor(config: RetryConfiguration) {
    this.#config = config;
    this.#total = config.total;
    this.#left = { connect: config.connect, read: config.read, status: config.status };
  }

  /** Retries taken so far. */
  get attempts(): number {
    return this.#attempts;
  }

  /** Milliseconds to wait before retrying after `error`; throws `error` when it cannot be retried. */
  afterError(method: string, error: unknown): number {
    const kind = classify(error);
    if (kind === null) throw error;
    if (kind === "read" && !this.#config.allowedMethods.has(method)) throw error;
    if (!this.#take(kind)) throw error;
    return this.#backoff();
  }

  /**
   * Milliseconds to wait before retrying after this response, or null to keep it. Throws
   * RetryError when status retries ran out (unless `raiseOnStatus` is false: then null).
   */
  afterResponse(method: string, response: Response): number | null {
    const config = this.#config;
    if (!config.allowedMethods.has(method)) return null;
    const status = response.statusCode;
    const retryAfter = response.headers.get("Retry-After");
    const honourRetryAfter =
      config.respectRetryAfterHeader && retryAfter !== null && RETRY_AFTER_STATUSES.has(status);
    const forced = config.statusForcelist.has(status);
    if (!forced && !(honourRetryAfter && this.#total !== 0)) return null;
    // A malformed Retry-After is reported before any budget is spent on it.
    const wait = honourRetryAfter ? parseRetryAfter(retryAfter) : null;
    if (!this.#take("status")) {
      if (!config.raiseOnStatus) return null;
      throw new RetryError(
        `Max retries exceeded with url: ${response.url} (too many ${status} error responses)`,
        { response },
      );
    }
    return wait !== null ? Math.min(wait, config.backoffMax) : this.#backoff();
  }

  #take(kind: Kind): boolean {
    if (this.#total !== null) {
      if (this.#total <= 0) return false;
    }
    const left = this.#left[kind];
    if (left !== null && left <= 0) return false;
    if (this.#total !== null) this.#total--;
    if (left !== null) this.#left[kind] = left - 1;
    this.#attempts++;
    return true;
  }

  #backoff(): number {
    const { backoffFactor, backoffMax, backoffJitter } = this.#config;
    const base = this.#attempts <= 1 ? 0 : backoffFactor * 2 ** (this.#attempts - 1);
    return Math.min(backoffMax, base) + (backoffJitter > 0 ? Math.random() * backoffJitter : 0);
  }
}

/** What kind of retry a failure calls for, or null when it must not be retried. */
function classify(error: unknown): Kind | null {
  if (error instanceof SSLError || error instanceof ProxyError) return null;
  if (error instanceof ConnectTimeout || isConnectFailure(error)) return "connect";
  if (error instanceof ReadTimeout || error instanceof ConnectionError) return "read";
  return null;
}
