/**
 * `response.oheaders`: headers as objects, in the spirit of Python's kiss-headers.
 * `r.oheaders.contentType.charset`, `r.oheaders.cacheControl.maxAge`, `r.oheaders.setCookie[0]`.
 */
import type { CaseInsensitiveDict } from "./case-insensitive-dict.ts";
import { headerKind } from "./header-kinds.ts";
import {
  cutTopLevel,
  HeaderValue,
  type HeaderValueWithParams,
  normalizeName,
  READ_ONLY_TRAPS,
} from "./header-value.ts";

type One<V extends string | number = string, P = unknown> = HeaderValueWithParams<V> & P;
type Many<P = unknown> = readonly (HeaderValueWithParams & P)[];

/** Parameters typed as numbers. */
interface Quality {
  readonly q?: number;
}
interface CacheDirectives {
  readonly maxAge?: number;
  readonly sMaxage?: number;
  /** `true` when present without a number: any staleness is accepted. */
  readonly maxStale?: number | true;
  readonly minFresh?: number;
  readonly staleWhileRevalidate?: number;
  readonly staleIfError?: number;
}

/**
 * The well-known headers, typed. A list header is always an array (even of one), a single
 * header always one value, whatever number of fields the server sent. Absent headers are
 * `undefined`.
 */
export interface KnownObjectHeaders {
  readonly accept?: Many<Quality>;
  readonly acceptCharset?: Many<Quality>;
  readonly acceptEncoding?: Many<Quality>;
  readonly acceptLanguage?: Many<Quality>;
  readonly acceptRanges?: One;
  readonly accessControlAllowCredentials?: One;
  readonly accessControlAllowHeaders?: Many;
  readonly accessControlAllowMethods?: Many;
  readonly accessControlAllowOrigin?: One;
  readonly accessControlExposeHeaders?: Many;
  readonly accessControlMaxAge?: One<number>;
  readonly accessControlRequestHeaders?: Many;
  readonly age?: One<number>;
  readonly allow?: Many;
  readonly altSvc?: Many<{ readonly ma?: number }>;
  readonly authorization?: One;
  readonly cacheControl?: One<string, CacheDirectives>;
  readonly connection?: Many;
  readonly contentDisposition?: One;
  readonly contentEncoding?: Many;
  readonly contentLanguage?: Many;
  readonly contentLength?: One<number>;
  readonly contentLocation?: One;
  readonly contentRange?: One;
  readonly contentSecurityPolicy?: One;
  readonly contentType?: One;
  readonly date?: One;
  readonly etag?: One;
  readonly ifMatch?: Many;
  readonly ifNoneMatch?: Many;
  readonly expires?: One;
  readonly keepAlive?: One<string, { readonly timeout?: number; readonly max?: number }>;
  readonly lastModified?: One;
  readonly link?: Many;
  readonly location?: One;
  readonly pragma?: One;
  readonly proxyAuthenticate?: Many;
  readonly retryAfter?: One;
  readonly server?: One;
  readonly setCookie?: Many<{ readonly maxAge?: number }>;
  readonly strictTransportSecurity?: One<string, { readonly maxAge?: number }>;
  readonly te?: Many<Quality>;
  readonly trailer?: Many;
  readonly transferEncoding?: Many;
  readonly upgrade?: Many;
  readonly vary?: Many;
  readonly via?: Many;
  readonly wwwAuthenticate?: Many;
  readonly xContentTypeOptions?: One;
  readonly xFrameOptions?: One;
  readonly xRequestId?: One;
}

/**
 * A read-only, live view of a {@link CaseInsensitiveDict}: each header is an attribute named in
 * camelCase (`content-type` → `contentType`, `x-request-id` → `xRequestId`); any spelling that
 * matches once `-`, `_` and case are ignored works too (`oheaders["Content-Type"]`). `in`,
 * `Object.keys` and `JSON.stringify` see the headers present.
 *
 * Only the list headers of `header-kinds.ts` are arrays, so other names are typed as one value
 * or a list; `x…` names (custom `X-` headers, never lists here) are typed as one value.
 */
export type ObjectHeaders = KnownObjectHeaders & {
  readonly [name: string]: HeaderValueWithParams<string | number> | Many | undefined;
  readonly [name: `x${string}`]: HeaderValueWithParams | undefined;
};

type Parsed = HeaderValue<string | number> | readonly HeaderValue<string | number>[];

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");
const views = new WeakMap<CaseInsensitiveDict, ObjectHeaders>();

/** `Content-Type` → `contentType`, `WWW-Authenticate` → `wwwAuthenticate`. */
export function camelCaseHeaderName(name: string): string {
  const parts = name.toLowerCase().split(/[-_]+/).filter(Boolean);
  return parts.map((part, i) => (i === 0 ? part : part[0]!.toUpperCase() + part.slice(1))).join("");
}

/**
 * The object view of `headers`. It reads the dict on every access, so it follows later changes;
 * parsed values are cached while a header's fields stay the same (the same header gives the same
 * object). One view per dict: calling this twice returns the same view.
 *
 * @example
 * const oh = objectHeaders(new CaseInsensitiveDict({ "Cache-Control": "public, max-age=3600" }));
 * oh.cacheControl?.maxAge; // 3600
 * oh.cacheControl?.has("public"); // true
 */
export function objectHeaders(headers: CaseInsensitiveDict): ObjectHeaders {
  let view = views.get(headers);
  if (view === undefined) {
    view = new Proxy(new ObjectHeadersView(headers), VIEW_TRAPS) as unknown as ObjectHeaders;
    views.set(headers, view);
  }
  return view;
}

/** The Proxy target: headers are never own properties, so every Proxy invariant holds. */
class ObjectHeadersView {
  readonly #headers: CaseInsensitiveDict;
  /** Lower-case name → the fields it was parsed from and the result. */
  readonly #cache = new Map<string, { fields: string; parsed: Parsed }>();

  constructor(headers: CaseInsensitiveDict) {
    this.#headers = headers;
  }

  // Statics, not methods: instance members would shadow headers of the same name.

  /** The header's name as the dict holds it, for an attribute in any spelling; null when absent. */
  static resolve(view: ObjectHeadersView, key: string): string | null {
    const headers = view.#headers;
    if (headers.has(key)) return key;
    const kebab = key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
    if (kebab !== key && headers.has(kebab)) return kebab;
    const wanted = normalizeName(key);
    for (const name of headers.keys()) if (normalizeName(name) === wanted) return name;
    return null;
  }

  static lookup(view: ObjectHeadersView, key: string): Parsed | undefined {
    const name = ObjectHeadersView.resolve(view, key);
    if (name === null) return undefined;
    const fields = view.#headers.getAll(name);
    const lower = name.toLowerCase();
    // Field values cannot hold a newline, so joining on one tells field lists apart.
    const signature = fields.join("\n");
    const cached = view.#cache.get(lower);
    if (cached !== undefined && cached.fields === signature) return cached.parsed;
    const parsed = parse(lower, fields);
    view.#cache.set(lower, { fields: signature, parsed });
    return parsed;
  }

  /** Attribute names of the headers present, in the dict's order. */
  static names(view: ObjectHeadersView): string[] {
    return [...new Set(Array.from(view.#headers.keys(), camelCaseHeaderName))];
  }

  /** `{ contentType: "text/html", setCookie: ["a=1", "b=2"] }`: raw values by attribute name. */
  toJSON(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const name of ObjectHeadersView.names(this)) {
      const parsed = ObjectHeadersView.lookup(this, name);
      if (parsed === undefined) continue;
      out[name] = Array.isArray(parsed) ? parsed.map(String) : String(parsed);
    }
    return out;
  }

  toString(): string {
    return JSON.stringify(this.toJSON());
  }

  get [Symbol.toStringTag](): string {
    return "ObjectHeaders";
  }

  // util.inspect calls this with the Proxy as `this` (it reads the target past the traps), so
  // only go through the Proxy's own keys here, never through private fields.
  [inspectSymbol](
    _depth: number,
    options: object,
    inspect: (value: unknown, options: object) => string,
  ): string {
    const shown: Record<string, unknown> = {};
    for (const name of Object.keys(this)) shown[name] = Reflect.get(this, name);
    return `ObjectHeaders ${inspect(shown, options)}`;
  }
}

function parse(name: string, fields: readonly string[]): Parsed {
  const { multi, spec } = headerKind(name);
  if (multi === "one") return HeaderValue.parse<string | number>(fields.join(", "), spec);
  if (multi === "fields") return Object.freeze(fields.map((field) => HeaderValue.parse(field, spec)));
  const members: HeaderValue[] = [];
  for (const field of fields) {
    for (const member of cutTopLevel(field, ",", true, spec.angleValue === true)) {
      if (member) members.push(HeaderValue.parse(member, spec));
    }
  }
  return Object.freeze(members);
}

const VIEW_TRAPS: ProxyHandler<ObjectHeadersView> = {
  ...READ_ONLY_TRAPS,
  get(target, key) {
    // The view's own members (toString, toJSON …) come first, then headers.
    if (typeof key === "symbol" || key in target) {
      const member: unknown = Reflect.get(target, key, target);
      return typeof member === "function" ? member.bind(target) : member;
    }
    return ObjectHeadersView.lookup(target, key);
  },
  has(target, key) {
    return typeof key === "symbol"
      ? Reflect.has(target, key)
      : ObjectHeadersView.resolve(target, key) !== null;
  },
  ownKeys(target) {
    return ObjectHeadersView.names(target);
  },
  getOwnPropertyDescriptor(target, key) {
    if (typeof key === "symbol") return undefined;
    const value = ObjectHeadersView.lookup(target, key);
    if (value === undefined) return undefined;
    // Configurable: the property is not on the target, and a Proxy may only report such ones.
    return { value, enumerable: true, configurable: true, writable: false };
  },
};
