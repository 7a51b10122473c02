/**
 * Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. A value that is neither is a
 * server bug we report, rather than guessing a delay.
 */
import { InvalidHeader } from "../errors/errors.ts";

/** Milliseconds to wait, from now; 0 for a date in the past. */
export function parseRetryAfter(value: string, now: number = Date.now()): number {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // IMF-fixdate and the two obsolete formats all contain a weekday name and a GMT zone.
  if (/^[A-Za-z]{3,9}, /.test(trimmed) && /GMT$/.test(trimmed)) {
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  throw new InvalidHeader(`Invalid Retry-After header: ${JSON.stringify(value.slice(0, 64))}`);
}
