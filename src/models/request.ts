/**
 * A user-level request before preparation, as in Requests: `new Request({ method, url, ... })`,
 * then `await session.prepareRequest(request)` and `await session.send(prepared)`.
 */
import type { AuthInput } from "../auth/auth-base.ts";
import type { CookieJar } from "../cookies/cookie-jar.ts";
import type { Hooks } from "../hooks/hooks.ts";
import type { DataInput, FilesInput } from "../session/encode-body.ts";
import type { ParamsInput } from "../session/encode-params.ts";
import type { HeadersInput, TrailersInput } from "../session/options.ts";

export interface RequestInit {
  method?: string;
  url: string | URL;
  headers?: HeadersInput | null;
  /** Trailer fields sent after the body (see `RequestOptions.trailers`). */
  trailers?: TrailersInput | null;
  params?: ParamsInput | null;
  data?: DataInput | null;
  json?: unknown;
  files?: FilesInput | null;
  cookies?: Record<string, string> | CookieJar | null;
  auth?: AuthInput | null;
  hooks?: Hooks | null;
}

export class Request {
  method: string;
  url: string;
  headers: HeadersInput | null;
  /** Trailer fields sent after the body, or the function computing them; null for none. */
  trailers: TrailersInput | null;
  params: ParamsInput | null;
  data: DataInput | null;
  json: unknown;
  files: FilesInput | null;
  cookies: Record<string, string> | CookieJar | null;
  auth: AuthInput | null;
  hooks: Hooks | null;

  constructor(init: RequestInit) {
    this.method = (init.method ?? "GET").toUpperCase();
    this.url = String(init.url);
    this.headers = init.headers ?? null;
    this.trailers = init.trailers ?? null;
    this.params = init.params ?? null;
    this.data = init.data ?? null;
    this.json = init.json;
    this.files = init.files ?? null;
    this.cookies = init.cookies ?? null;
    this.auth = init.auth ?? null;
    this.hooks = init.hooks ?? null;
  }

  toString(): string {
    return `<Request [${this.method}]>`;
  }
}
