/**
 * One parsed header value of {@link objectHeaders}: the main part, its parameters (reachable as
 * camelCase attributes through a Proxy) and the untouched raw text.
 */

/** A parameter value: a string, a number for the well-known numeric directives, `true` when valueless. */
export type ParamValue = string | number | true;

/** How one header's text is cut into a main value and parameters. */
export interface ParseSpec {
  /**
   * `"main"`: the text before the first separator is the value (Content-Type, Set-Cookie);
   * `"directives"`: no main value, every member is a parameter (Cache-Control);
   * `"scheme"`: the first word is the value, comma-separated parameters follow (WWW-Authenticate);
   * `"opaque"`: the whole text is the value, no parameters (Date, Location, Server).
   */
  shape: "main" | "directives" | "scheme" | "opaque";
  /** Parameter separators; `";"` unless said otherwise. */
  separators?: string;
  /** False for Set-Cookie: browsers cut its attributes at every `;`, quotes or not. */
  quotes?: boolean;
  /**
   * Lower-case parameter names whose values are numbers (`max-age`, `q`): `NaN` when the server
   * sent something else, so that their type stays `number`.
   */
  numericParams?: ReadonlySet<string>;
  /** The value is a number (Content-Length, Age): `NaN` when the server sent something else. */
  numericValue?: boolean;
  /** Strip the `<…>` around the value (Link). */
  angleValue?: boolean;
}

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");
const NUMERIC = /^-?\d+(?:\.\d+)?$/;
const MONTH = /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/i;
const TIME = /\b\d{1,2}:\d{2}:\d{2}\b/;
const ZONE = /\b(?:GMT|UTC|Z)\b|[+-]\d{4}\b/i;

/** Attribute-name normalisation: `maxAge`, `max-age`, `Max_Age` all become `maxage`. */
export function normalizeName(name: string): string {
  return name.replace(/[-_]/g, "").toLowerCase();
}

/**
 * Cuts `text` at each character of `separators` that is outside a quoted string (and outside
 * `<…>` when `angles` is set). Members are trimmed; empty ones are kept, so that the first
 * member is always what came before the first separator.
 */
export function cutTopLevel(text: string, separators: string, quotes = true, angles = false): string[] {
  const out: string[] = [];
  let start = 0;
  let inQuotes = false;
  let inAngles = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === "\\") i++;
      else if (ch === '"') inQuotes = false;
    } else if (inAngles) {
      if (ch === ">") inAngles = false;
    } else if (ch === '"' && quotes) {
      inQuotes = true;
    } else if (ch === "<" && angles) {
      inAngles = true;
    } else if (separators.includes(ch)) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(text.slice(start).trim());
  return out;
}

/** `"a \"b\""` → `a "b"`; text that is not a quoted string comes back as it is. */
export function unquote(text: string): string {
  if (text.length < 2 || text[0] !== '"' || text[text.length - 1] !== '"') return text;
  return text.slice(1, -1).replace(/\\(.)/g, "$1");
}

/** RFC 8187 `UTF-8'lang'percent%20encoded` (the `filename*` form); other charsets are left raw. */
function decodeExtValue(text: string): string {
  const match = /^utf-8'[^']*'(.*)$/i.exec(text);
  if (match === null) return text;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return text;
  }
}

function parseParams(members: readonly string[], spec: ParseSpec): Record<string, ParamValue> {
  // A Map then fromEntries: a parameter named "__proto__" stays an ordinary key.
  const into = new Map<string, ParamValue>();
  for (const member of members) {
    const eq = member.indexOf("=");
    const name = (eq === -1 ? member : member.slice(0, eq)).trim().toLowerCase();
    if (!name) continue;
    const numeric = spec.numericParams?.has(name) === true;
    if (eq === -1) {
      // A numeric directive without its number is malformed, except max-stale ("any staleness").
      into.set(name, numeric && name !== "max-stale" ? Number.NaN : true);
      continue;
    }
    let value = member.slice(eq + 1).trim();
    if (spec.quotes !== false) value = unquote(value);
    if (name.endsWith("*")) value = decodeExtValue(value);
    // Later duplicates win, as RFC 6265 says for cookie attributes.
    into.set(name, numeric ? (NUMERIC.test(value) ? Number(value) : Number.NaN) : value);
  }
  return Object.fromEntries(into);
}

function toNumber(value: string): number {
  // Repeated identical fields ("42, 42") are one value (RFC 9110 §8.6).
  const parts = value.split(",").map((part) => part.trim());
  const first = parts[0] ?? "";
  return /^\d+$/.test(first) && parts.every((part) => part === first) ? Number(first) : Number.NaN;
}

/**
 * A header value with its parameters. Parameters are also attributes, by camelCase (or any
 * spelling that matches once `-`, `_` and case are ignored): `contentType.charset`,
 * `cacheControl.maxAge`, `setCookie[0].httpOnly`. Members of this class win over parameters of
 * the same name; those stay reachable with {@link HeaderValue.get}.
 *
 * @example
 * const ct = HeaderValue.parse('text/html; charset="utf-8"');
 * ct.value; // "text/html"
 * ct.charset; // "utf-8"
 * String(ct); // 'text/html; charset="utf-8"'
 */
export class HeaderValue<V extends string | number = string> {
  /** The main part: the text before the first `;` ("" for directive headers such as Cache-Control). */
  readonly value: V;
  /** Parameters by lower-case name: quoted strings unquoted, valueless ones `true`. */
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly #raw: string;
  /** Normalised name → key of {@link params}. */
  readonly #index = new Map<string, string>();

  /** Use {@link HeaderValue.parse}: only its Proxy makes parameters read as attributes. */
  private constructor(raw: string, spec: ParseSpec) {
    this.#raw = raw;
    let params: Record<string, ParamValue> = {};
    const separators = spec.separators ?? ";";
    let value = "";
    const text = raw.trim();
    if (spec.shape === "opaque") {
      value = text;
    } else if (spec.shape === "scheme") {
      const space = text.search(/\s/);
      value = space === -1 ? text : text.slice(0, space);
      const rest = space === -1 ? "" : text.slice(space + 1);
      // A token68 credential ("Negotiate abc==") is not a parameter list: it stays in toString().
      if (/^\s*[\w!#$%&'*+.^`|~-]+\s*=\s*[^=\s]/.test(rest))
        params = parseParams(cutTopLevel(rest, ","), spec);
    } else {
      const members = cutTopLevel(text, separators, spec.quotes !== false, spec.angleValue === true);
      if (spec.shape === "main") {
        value = members.shift() ?? "";
        if (spec.angleValue && value.startsWith("<") && value.endsWith(">"))
          value = value.slice(1, -1).trim();
      }
      params = parseParams(members, spec);
    }
    this.value = (spec.numericValue ? toNumber(value) : value) as V;
    this.params = Object.freeze(params);
    for (const key of Object.keys(params)) this.#index.set(normalizeName(key), key);
  }

  /**
   * Parses one header value by `spec`; by default the value is the text before the first `;`
   * and parameters follow it. `V` is `number` only with `spec.numericValue`.
   */
  static parse<V extends string | number = string>(
    raw: string,
    spec: ParseSpec = { shape: "main" },
  ): HeaderValueWithParams<V> {
    return new Proxy(new HeaderValue<V>(raw, spec), PARAM_TRAPS) as unknown as HeaderValueWithParams<V>;
  }

  /** A parameter by name, in any spelling (`"max-age"`, `"maxAge"`); undefined when absent. */
  get(name: string): ParamValue | undefined {
    const key = this.#index.get(normalizeName(name));
    return key === undefined ? undefined : this.params[key];
  }

  /** True when the parameter or directive is present (`cacheControl.has("no-store")`). */
  has(name: string): boolean {
    return this.#index.has(normalizeName(name));
  }

  /**
   * The value as a Date when it is an HTTP-date (Date, Expires, Last-Modified, Retry-After in its
   * date form); null otherwise.
   */
  get date(): Date | null {
    const text = String(this.value);
    if (!MONTH.test(text) || !TIME.test(text)) return null;
    // asctime dates carry no zone: HTTP-dates are always GMT, never local time.
    const time = Date.parse(ZONE.test(text) ? text : `${text} GMT`);
    return Number.isNaN(time) ? null : new Date(time);
  }

  /** The whole raw value, exactly as received. */
  toString(): string {
    return this.#raw;
  }

  toJSON(): string {
    return this.#raw;
  }

  get [Symbol.toStringTag](): string {
    return "HeaderValue";
  }

  // util.inspect calls this with the Proxy as `this`: the Proxy hands out bound members.
  [inspectSymbol](): string {
    return `HeaderValue(${JSON.stringify(this.toString())})`;
  }
}

/** A {@link HeaderValue} with its parameters typed as attributes. */
export type HeaderValueWithParams<V extends string | number = string> = HeaderValue<V> & {
  readonly [param: string]: ParamValue | undefined;
};

/** Proxy traps that refuse every write: header views are read-only. */
export const READ_ONLY_TRAPS = {
  set: () => false,
  defineProperty: () => false,
  deleteProperty: () => false,
} as const;

// Class members run against the real instance (private fields do not exist on the Proxy).
const PARAM_TRAPS: ProxyHandler<HeaderValue<string | number>> = {
  ...READ_ONLY_TRAPS,
  get(target, key) {
    if (typeof key === "symbol" || key in target) {
      const member: unknown = Reflect.get(target, key, target);
      return typeof member === "function" ? member.bind(target) : member;
    }
    return target.get(key);
  },
  has(target, key) {
    if (typeof key === "symbol") return Reflect.has(target, key);
    return key in target || target.has(key);
  },
};
