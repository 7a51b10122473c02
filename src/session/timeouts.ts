/**
 * Timeouts in milliseconds. A number sets both the connect and the read timeout; an object sets
 * them apart, plus an optional `total` deadline for the whole exchange (redirects included).
 */

export interface TimeoutParts {
  /** Establishing the connection: DNS, TCP and TLS. */
  connect?: number | null;
  /** Silence allowed between bytes from the server. */
  read?: number | null;
  /** Deadline for the whole call, redirects and body included. */
  total?: number | null;
}

/** Timeout settings with every part resolved (null = no limit). */
export class TimeoutConfiguration {
  readonly connect: number | null;
  readonly read: number | null;
  readonly total: number | null;

  constructor(parts: TimeoutParts = {}) {
    this.connect = check(parts.connect ?? null, "connect");
    this.read = check(parts.read ?? null, "read");
    this.total = check(parts.total ?? null, "total");
  }
}

export type TimeoutInput = number | TimeoutParts | TimeoutConfiguration | null;

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const cache = new Map<number, TimeoutConfiguration>();

/** Niquests defaults: 30 s for GET, HEAD and OPTIONS, 120 s for the others. */
export function defaultTimeout(method: string): TimeoutConfiguration {
  return resolveTimeout(SAFE_METHODS.has(method) ? 30_000 : 120_000);
}

export function resolveTimeout(input: TimeoutInput): TimeoutConfiguration {
  if (input instanceof TimeoutConfiguration) return input;
  if (input === null) return new TimeoutConfiguration();
  if (typeof input === "number") {
    let config = cache.get(input);
    if (!config) {
      config = new TimeoutConfiguration({ connect: input, read: input });
      if (cache.size < 64) cache.set(input, config);
    }
    return config;
  }
  if (typeof input === "object") return new TimeoutConfiguration(input);
  throw new TypeError("timeout must be a number of milliseconds, { connect, read, total } or null");
}

function check(value: number | null, name: string): number | null {
  if (value === null) return null;
  if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value)) {
    throw new TypeError(`timeout.${name} must be a finite number of milliseconds >= 0`);
  }
  return value;
}
