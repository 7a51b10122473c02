/**
 * One-off calls (`niquests.get(url)` …) on a process-wide session that pools connections but
 * keeps no cookies between calls (a redirect chain still carries its own cookies).
 */
import type { Response } from "./models/response.ts";
import type { RequestOptions } from "./session/options.ts";
import { EPHEMERAL_COOKIES, Session } from "./session/session.ts";

let shared: Session | null = null;

function session(): Session {
  if (shared === null) {
    shared = new Session();
    shared[EPHEMERAL_COOKIES] = true;
  }
  return shared;
}

/** Sends one request with the shared default session. */
export function request(method: string, url: string | URL, options?: RequestOptions): Promise<Response> {
  return session().request(method, url, options);
}
export function get(url: string | URL, options?: RequestOptions): Promise<Response> {
  return request("GET", url, options);
}
export function options(url: string | URL, opts?: RequestOptions): Promise<Response> {
  return request("OPTIONS", url, opts);
}
export function head(url: string | URL, options?: RequestOptions): Promise<Response> {
  return request("HEAD", url, { allowRedirects: false, ...options });
}
export function post(url: string | URL, options?: RequestOptions): Promise<Response> {
  return request("POST", url, options);
}
export function put(url: string | URL, options?: RequestOptions): Promise<Response> {
  return request("PUT", url, options);
}
export function patch(url: string | URL, options?: RequestOptions): Promise<Response> {
  return request("PATCH", url, options);
}
/** DELETE (`delete` is a reserved word for a function name; the default export has `delete`). */
export function del(url: string | URL, options?: RequestOptions): Promise<Response> {
  return request("DELETE", url, options);
}
