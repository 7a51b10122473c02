/**
 * The send pipeline: preRequest hooks → auth → hops until the answer is final. Each hop is
 * retried per the retry policy, runs the response hooks, may be answered by the auth flow (a
 * 401 challenge) and may be a redirect. Timeouts, cancellation and failing hooks end it all.
 */
import { type AuthBase, type AuthFunction, applyAuth } from "../auth/auth-base.ts";
import { CookieJar } from "../cookies/cookie-jar.ts";
import { RequestException, Timeout, TooManyRedirects, UnrewindableBodyError } from "../errors/errors.ts";
import { dispatchHooks, type Hook, type HookEvent, type HookTable, hookError } from "../hooks/hooks.ts";
import type { PreparedRequest } from "../models/prepared-request.ts";
import { Response } from "../models/response.ts";
import type { HeaderList } from "../protocols/events.ts";
import { DEFAULT_RETRIES, RetryConfiguration } from "../retry/retry-configuration.ts";
import { RetryState } from "../retry/retry-state.ts";
import type { TransportContext } from "../transport/transport.ts";
import { exchange, type HopSettings } from "./exchange.ts";
import { buildRedirect, redirectLocation } from "./redirect.ts";
import { EPHEMERAL_COOKIES, type SendOptions, type Session } from "./session.ts";
import { defaultTimeout, resolveTimeout, type TimeoutConfiguration } from "./timeouts.ts";

/** Redirect bodies larger than this are not drained; their connection is closed instead. */
const DRAIN_LIMIT = 64 * 1024;
/** Auth flows answering challenges for one call, at most (digest needs one). */
const MAX_AUTH_ROUNDS = 3;

export async function sendPipeline(
  session: Session,
  initial: PreparedRequest,
  auth: AuthBase | AuthFunction | null,
  options: SendOptions,
): Promise<Response> {
  const timeout: TimeoutConfiguration =
    options.timeout !== undefined
      ? resolveTimeout(options.timeout)
      : session.timeout !== undefined
        ? resolveTimeout(session.timeout)
        : defaultTimeout(initial.method);
  const deadline = timeout.total === null ? null : new Deadline(timeout.total);
  const hooks = initial.hooks;
  // Hooks that run unawaited (progress, 1xx) report failures here: the call then rejects.
  const failure = needsFailureSignal(hooks) ? new AbortController() : null;
  const signal = combine(options.signal ?? null, deadline?.signal ?? null, failure?.signal ?? null);
  const retry = RetryConfiguration.from(options.retries ?? session.retries, DEFAULT_RETRIES);
  const maxRedirects = Math.min(session.maxRedirects, retry.redirect ?? Number.POSITIVE_INFINITY);
  let request = initial;
  const ctx: TransportContext = {
    connectTimeout: timeout.connect,
    readTimeout: timeout.read,
    signal,
    tls: {
      verify: options.verify ?? session.verify,
      cert: options.cert ?? session.cert,
      trustEnv: session.trustEnv,
    },
    onInformational: hooks.earlyResponse.length
      ? (info) => {
          const early = new Response({
            statusCode: info.status,
            reason: info.reason,
            headers: info.headers,
            url: request.url,
            request,
          });
          fire("earlyResponse", hooks.earlyResponse, early, failure);
        }
      : null,
    onUpload: hooks.onUpload.length
      ? (progress) => fire("onUpload", hooks.onUpload, progress, failure)
      : null,
    beforeSend: hooks.preSend.length ? (info) => preSend(request, info, hooks) : null,
  };
  const hop: HopSettings = {
    ctx,
    jar: session[EPHEMERAL_COOKIES] ? CookieJar.from(null) : session.cookies,
    onDownload: hooks.onDownload.length
      ? (progress) => fire("onDownload", hooks.onDownload, progress, failure)
      : null,
  };
  const stream = options.stream ?? session.stream;
  const allowRedirects = options.allowRedirects ?? true;
  try {
    // dispatchHooks returns the value itself when there are no hooks: awaiting it would still
    // cost a microtask per request.
    const prepared = dispatchHooks("preRequest", hooks.preRequest, initial);
    request = prepared instanceof Promise ? await prepared : prepared;
    if (auth) request = await applyAuth(auth, request);
    const history: Response[] = [];
    let authRounds = 0;
    let response: Response;
    for (;;) {
      response = await withRetries(session, request, hop, new RetryState(retry));
      const hooked = dispatchHooks("response", hooks.response, response);
      response = hooked instanceof Promise ? await hooked : hooked;
      // A response starts with its own empty history: copy only when there is one.
      if (history.length > 0 || response.history.length > 0) response.history = history.slice();
      const answer =
        authRounds < MAX_AUTH_ROUNDS && auth && typeof auth !== "function" && auth.handleResponse
          ? await auth.handleResponse(response, request)
          : null;
      if (answer) {
        authRounds++;
        await assertReplayable(answer, response);
        await drain(response);
        history.push(response);
        request = answer;
        continue;
      }
      const target = redirectLocation(response, request.parsedUrl());
      if (target === null) break;
      const next = buildRedirect(request, response, target);
      if (!allowRedirects) {
        response.nextRequest = next;
        break;
      }
      if (history.length >= maxRedirects) {
        await response.close();
        throw new TooManyRedirects(`Exceeded ${maxRedirects} redirects.`, { request, response });
      }
      await drain(response);
      history.push(response);
      request = next;
    }
    if (!stream) await response.load();
    return response;
  } catch (error) {
    throw annotate(error, request, signal);
  } finally {
    deadline?.clear();
  }
}

/** One hop, tried again per the retry policy after connection failures or retryable statuses. */
async function withRetries(
  session: Session,
  request: PreparedRequest,
  hop: HopSettings,
  state: RetryState,
): Promise<Response> {
  for (;;) {
    let response: Response;
    try {
      response = await exchange(session, request, hop);
    } catch (error) {
      if (hop.ctx.signal?.aborted) throw error;
      await sleep(state.afterError(request.method, error), hop.ctx.signal);
      continue;
    }
    const wait = state.afterResponse(request.method, response);
    if (wait === null) return response;
    await assertReplayable(request, response);
    await drain(response);
    await sleep(wait, hop.ctx.signal);
  }
}

/** Runs preSend hooks once the connection is known; a replaced request sends its headers. */
async function preSend(
  request: PreparedRequest,
  info: PreparedRequest["connInfo"],
  hooks: HookTable,
): Promise<HeaderList> {
  request.connInfo = info;
  const result = await dispatchHooks("preSend", hooks.preSend, request);
  return result.headers.toList();
}

/** Calls unawaited hooks; a throw or a rejection aborts the request with that error. */
function fire<T>(event: HookEvent, list: Array<Hook<T>>, value: T, failure: AbortController | null): void {
  for (const hook of list) {
    try {
      const result = hook(value);
      if (result instanceof Promise)
        result.catch((error: unknown) => failure?.abort(hookError(event, error)));
    } catch (error) {
      failure?.abort(hookError(event, error));
    }
  }
}

function needsFailureSignal(hooks: HookTable): boolean {
  return hooks.onUpload.length + hooks.onDownload.length + hooks.earlyResponse.length > 0;
}

function combine(...signals: Array<AbortSignal | null>): AbortSignal | null {
  // The common case (no signal, no total timeout, no unawaited hooks) allocates nothing more.
  if (signals[0] === null && signals[1] === null && signals[2] === null) return null;
  const present = signals.filter((s): s is AbortSignal => s !== null);
  if (present.length <= 1) return present[0] ?? null;
  return AbortSignal.any(present);
}

/** A one-shot stream body cannot be sent a second time; the response it answered is released. */
async function assertReplayable(request: PreparedRequest, response: Response): Promise<void> {
  const body = request.body;
  if (body !== null && !(body instanceof Uint8Array) && !body.rewindable) {
    await response.close();
    throw new UnrewindableBodyError("A streamed request body cannot be sent again", { request, response });
  }
}

/** Reads a small body so its connection can be reused; closes a large one. */
async function drain(response: Response): Promise<void> {
  const length = Number(response.headers.get("Content-Length") ?? Number.NaN);
  if (length > DRAIN_LIMIT) {
    await response.close();
    return;
  }
  try {
    await response.load();
  } catch {
    await response.close();
  }
}

function sleep(ms: number, signal: AbortSignal | null): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Attaches the request to our errors; turns the deadline's abort into its Timeout error. */
function annotate(error: unknown, request: PreparedRequest, signal: AbortSignal | null): unknown {
  if (signal?.aborted && signal.reason instanceof Timeout && error !== signal.reason) error = signal.reason;
  if (error instanceof RequestException && error.request === null) error.request = request;
  return error;
}

/** The `total` timeout: one timer for the whole call, redirects and body included. */
class Deadline {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;

  constructor(ms: number) {
    this.#timer = setTimeout(() => {
      this.#controller.abort(new Timeout(`The request took longer than its total timeout of ${ms} ms`));
    }, ms);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  clear(): void {
    clearTimeout(this.#timer);
  }
}
