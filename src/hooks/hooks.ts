/**
 * Hooks in Niquests order: preRequest (prepared, before auth) → preSend (connection chosen) →
 * onUpload (body progress) → earlyResponse (1xx) → response (final, and each redirect hop).
 * A hook may be sync or async; one that returns a value replaces the object it was given.
 */
import { HookError } from "../errors/errors.ts";
import type { PreparedRequest } from "../models/prepared-request.ts";
import type { Response } from "../models/response.ts";
import type { UploadProgress } from "../transport/transport.ts";

// biome-ignore lint/suspicious/noConfusingVoidType: hooks that return nothing are typed `=> void` by users.
export type Hook<T> = (value: T) => T | undefined | void | Promise<T | undefined | void>;
type HookList<T> = Hook<T> | Array<Hook<T>>;

/** Download progress: bytes received off the wire (still encoded) against Content-Length. */
export interface DownloadProgress {
  received: number;
  total: number | null;
  done: boolean;
}

/**
 * Hooks as users write them: one function or a list per event.
 * - `preRequest`: the prepared request, before auth is applied.
 * - `preSend`: the request once a connection is chosen (`request.connInfo` is set), before it is written.
 * - `onUpload`: request body progress. `onDownload`: response body progress.
 * - `earlyResponse`: each 1xx interim response (103 Early Hints …).
 * - `response`: the final response, and each redirect or auth hop.
 * Progress and early hooks run without being awaited; one that throws fails the request.
 */
export interface Hooks {
  preRequest?: HookList<PreparedRequest>;
  preSend?: HookList<PreparedRequest>;
  onUpload?: HookList<UploadProgress>;
  onDownload?: HookList<DownloadProgress>;
  earlyResponse?: HookList<Response>;
  response?: HookList<Response>;
}

export const HOOK_EVENTS = [
  "preRequest",
  "preSend",
  "onUpload",
  "onDownload",
  "earlyResponse",
  "response",
] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** Hooks with every event normalised to a (possibly empty) list. */
export interface HookTable {
  preRequest: Array<Hook<PreparedRequest>>;
  preSend: Array<Hook<PreparedRequest>>;
  onUpload: Array<Hook<UploadProgress>>;
  onDownload: Array<Hook<DownloadProgress>>;
  earlyResponse: Array<Hook<Response>>;
  response: Array<Hook<Response>>;
}

export function emptyHooks(): HookTable {
  return { preRequest: [], preSend: [], onUpload: [], onDownload: [], earlyResponse: [], response: [] };
}

function asList<T>(value: HookList<T> | undefined, event: string): Array<Hook<T>> {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  for (const fn of list) {
    if (typeof fn !== "function")
      throw new TypeError(`hooks.${event} must be a function or a list of functions`);
  }
  return list;
}

/** Session hooks first, then per-request hooks. Unknown event names are a TypeError. */
export function mergeHooks(...sources: Array<Hooks | HookTable | null | undefined>): HookTable {
  const table = emptyHooks();
  for (const source of sources) {
    if (!source) continue;
    // A typo in a plain hooks object is an error; objects with their own class (a rate
    // limiter, say) may carry other members beside their hooks.
    const proto = Object.getPrototypeOf(source);
    if (proto === Object.prototype || proto === null) {
      for (const key of Object.keys(source)) {
        if (!(HOOK_EVENTS as readonly string[]).includes(key))
          throw new TypeError(`Unknown hook event "${key}"`);
      }
    }
    table.preRequest.push(...asList(source.preRequest, "preRequest"));
    table.preSend.push(...asList(source.preSend, "preSend"));
    table.onUpload.push(...asList(source.onUpload, "onUpload"));
    table.onDownload.push(...asList(source.onDownload, "onDownload"));
    table.earlyResponse.push(...asList(source.earlyResponse, "earlyResponse"));
    table.response.push(...asList(source.response, "response"));
  }
  return table;
}

/** Runs hooks in order; a returned value replaces the object for the hooks after it. */
export function dispatchHooks<T>(event: HookEvent, hooks: Array<Hook<T>>, value: T): Promise<T> | T {
  // No hooks is the common case: no async frame, no extra microtask.
  return hooks.length === 0 ? value : runHooks(event, hooks, value);
}

async function runHooks<T>(event: HookEvent, hooks: Array<Hook<T>>, value: T): Promise<T> {
  let current = value;
  for (const hook of hooks) {
    let result: Awaited<ReturnType<Hook<T>>>;
    try {
      result = await hook(current);
    } catch (error) {
      throw hookError(event, error);
    }
    if (result !== undefined && result !== null) current = result;
  }
  return current;
}

/** Wraps what a hook threw, so callers see one error tree; the original is the `cause`. */
export function hookError(event: HookEvent, error: unknown): HookError {
  const failure = new HookError(
    `A ${event} hook failed: ${error instanceof Error ? error.message : String(error)}`,
    {
      cause: error,
    },
  );
  failure.event = event;
  return failure;
}
