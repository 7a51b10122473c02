/**
 * `Session.gather()`: Niquests' lazy multiplexed responses, expressed with Promises. Start many
 * requests without awaiting them (they share one HTTP/2 connection), then settle them together.
 */
import { BodyNotLoadedError } from "../errors/errors.ts";
import type { Response } from "../models/response.ts";

/** Options of {@link Session.gather}. */
export interface GatherOptions {
  /**
   * Bodies to load, at most, among the gathered responses that do not have theirs yet
   * (`stream: true`), in argument order. Default: all of them; 0 loads none.
   */
  maxFetch?: number;
}

/** A response, or a request still in flight. */
export type Gatherable = Response | PromiseLike<Response>;

/** Splits `gather()` arguments into the responses and the trailing options object, if any. */
export function splitGatherArgs(args: ReadonlyArray<Gatherable | GatherOptions>): {
  items: Gatherable[];
  options: GatherOptions;
} {
  const last = args.at(-1);
  if (last !== undefined && isOptions(last)) {
    return { items: args.slice(0, -1) as Gatherable[], options: last };
  }
  return { items: args as Gatherable[], options: {} };
}

function isOptions(value: unknown): value is GatherOptions {
  if (typeof value !== "object" || value === null) return false;
  if (typeof (value as PromiseLike<unknown>).then === "function") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Waits for every item to settle (none is left dangling), loads up to `maxFetch` bodies that are
 * not loaded yet, and resolves with the responses in argument order. When any request failed,
 * rejects with the first failure in argument order, once all have settled.
 */
export async function gatherResponses(items: Gatherable[], options: GatherOptions): Promise<Response[]> {
  const maxFetch = options.maxFetch ?? Number.POSITIVE_INFINITY;
  if (typeof maxFetch !== "number" || Number.isNaN(maxFetch) || maxFetch < 0) {
    throw new TypeError(`gather(): maxFetch must be a number >= 0, got ${String(options.maxFetch)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== "maxFetch") throw new TypeError(`Unknown gather() option "${key}"`);
  }
  const settled = await Promise.allSettled(items);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failure) throw failure.reason;
  const responses = settled.map((s) => (s as PromiseFulfilledResult<Response>).value);
  const toLoad = responses.filter(needsLoad).slice(0, maxFetch);
  const loads = await Promise.allSettled(toLoad.map((r) => r.load()));
  const loadFailure = loads.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (loadFailure) throw loadFailure.reason;
  return responses;
}

function needsLoad(response: Response): boolean {
  try {
    response.content;
    return false;
  } catch (error) {
    return error instanceof BodyNotLoadedError;
  }
}
