/**
 * The RFC 6265 cookie jar behind `session.cookies` and `response.cookies`, on tough-cookie.
 * Cookies set by hand without a domain apply to every host (as in Requests); everything the
 * servers set follows the domain, path, secure and expiry rules.
 */
import { randomBytes } from "node:crypto";
import { readFile, rename, unlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Cookie, CookieJar as ToughJar } from "tough-cookie";
import { formatNetscapeCookies, parseNetscapeCookies } from "./netscape.ts";

export interface CookieOptions {
  /** Domain the cookie belongs to; without it the cookie is sent to every host. */
  domain?: string;
  path?: string;
  secure?: boolean;
  httpOnly?: boolean;
  /** Expiry as a Date or epoch milliseconds; absent for a session cookie. */
  expires?: Date | number;
}

export interface CookieFilter {
  domain?: string;
  path?: string;
}

/** One cookie as the jar holds it. */
export interface StoredCookie {
  name: string;
  value: string;
  domain: string | null;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  expires: Date | null;
  hostOnly: boolean;
}

/** Options of {@link CookieJar.save} and {@link CookieJar.toNetscape}. */
export interface NetscapeSaveOptions {
  /** Also write session cookies (expiry 0); by default only persistent ones are kept. */
  includeSessionCookies?: boolean;
}

type Tough = typeof import("tough-cookie");
let tough: Tough | null = null;

/**
 * tough-cookie is loaded on the first cookie that needs it (one with a domain, a Set-Cookie, a
 * cookies.txt): importing it costs ~60 ms (its public-suffix list), most of `import "niquests"`.
 */
function loadTough(): Tough {
  tough ??= createRequire(import.meta.url)("tough-cookie") as Tough;
  return tough;
}

/** Distinct request URLs whose Cookie header is remembered at once. */
const MEMO_LIMIT = 256;

export class CookieJar implements Iterable<[string, string]> {
  /** Created with the first cookie that has a domain; null until then. */
  #tough: ToughJar | null = null;
  /** Cookies without a domain, keyed by path then name. */
  readonly #anyHost = new Map<string, { value: string; path: string; secure: boolean }>();
  #count = 0;
  /**
   * Cookie header by request URL. tough-cookie's lookup costs ~10 µs (public suffix, domain
   * permutations, IP checks) and repeats on every request; the answer only changes when the jar
   * does or a cookie expires, so every change clears this and an entry dies with the first expiry.
   */
  readonly #headerMemo = new Map<string, string>();
  #memoValidUntil = Number.POSITIVE_INFINITY;

  /** Builds a jar from a record of name → value (domain-less cookies) or another jar. */
  static from(input: CookieJar | Record<string, string> | null | undefined): CookieJar {
    if (input instanceof CookieJar) return input;
    const jar = new CookieJar();
    if (input) for (const [name, value] of Object.entries(input)) jar.set(name, value);
    return jar;
  }

  /** Number of cookies held. */
  get size(): number {
    return this.#anyHost.size + this.#toughCookies().length;
  }

  /** Sets a cookie. Without `domain` it is sent to every host. */
  set(name: string, value: string, options: CookieOptions = {}): void {
    this.#forget();
    if (!options.domain) {
      this.#anyHost.set(`${options.path ?? "/"}\0${name}`, {
        value,
        path: options.path ?? "/",
        secure: options.secure ?? false,
      });
      return;
    }
    const cookie = new (loadTough().Cookie)({
      key: name,
      value,
      domain: options.domain.replace(/^\./, ""),
      path: options.path ?? "/",
      secure: options.secure ?? false,
      httpOnly: options.httpOnly ?? false,
      hostOnly: false,
      ...(options.expires !== undefined ? { expires: new Date(options.expires) } : {}),
    });
    this.#putCookie(cookie);
  }

  /** The value of the first cookie with this name (optionally narrowed by domain and path). */
  get(name: string, filter: CookieFilter = {}): string | null {
    for (const cookie of this.list()) {
      if (cookie.name !== name) continue;
      if (filter.domain !== undefined && cookie.domain !== filter.domain.replace(/^\./, "")) continue;
      if (filter.path !== undefined && cookie.path !== filter.path) continue;
      return cookie.value;
    }
    return null;
  }

  has(name: string, filter: CookieFilter = {}): boolean {
    return this.get(name, filter) !== null;
  }

  /** Removes cookies with this name (optionally narrowed by domain and path). */
  delete(name: string, filter: CookieFilter = {}): boolean {
    this.#forget();
    let removed = false;
    for (const [key, entry] of this.#anyHost) {
      if (key.endsWith(`\0${name}`) && filter.domain === undefined) {
        if (filter.path !== undefined && entry.path !== filter.path) continue;
        this.#anyHost.delete(key);
        removed = true;
      }
    }
    for (const cookie of this.#toughCookies()) {
      if (cookie.key !== name) continue;
      if (filter.domain !== undefined && cookie.domain !== filter.domain.replace(/^\./, "")) continue;
      if (filter.path !== undefined && cookie.path !== filter.path) continue;
      this.#jar().store.removeCookie(cookie.domain ?? "", cookie.path ?? "/", cookie.key, () => {});
      this.#count--;
      removed = true;
    }
    return removed;
  }

  /** Removes every cookie, or those of one domain. */
  clear(domain?: string): void {
    this.#forget();
    if (domain === undefined) {
      this.#anyHost.clear();
      this.#tough?.removeAllCookiesSync();
      this.#count = 0;
      return;
    }
    for (const cookie of this.#toughCookies()) {
      if (cookie.domain !== domain.replace(/^\./, "")) continue;
      this.#jar().store.removeCookie(cookie.domain ?? "", cookie.path ?? "/", cookie.key, () => {});
      this.#count--;
    }
  }

  /** Every cookie with its attributes. */
  list(): StoredCookie[] {
    const out: StoredCookie[] = [];
    for (const [key, entry] of this.#anyHost) {
      out.push({
        name: key.slice(key.indexOf("\0") + 1),
        value: entry.value,
        domain: null,
        path: entry.path,
        secure: entry.secure,
        httpOnly: false,
        expires: null,
        hostOnly: false,
      });
    }
    for (const cookie of this.#toughCookies()) out.push(storedCookie(cookie));
    return out;
  }

  keys(): string[] {
    return this.list().map((c) => c.name);
  }
  values(): string[] {
    return this.list().map((c) => c.value);
  }
  entries(): Array<[string, string]> {
    return this.list().map((c) => [c.name, c.value]);
  }
  [Symbol.iterator](): Iterator<[string, string]> {
    return this.entries()[Symbol.iterator]();
  }

  /** A plain `{ name: value }` object (the last cookie wins when names repeat). */
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.entries());
  }

  /** Copies every cookie of `other` into this jar. */
  update(other: CookieJar): void {
    this.#forget();
    for (const [key, entry] of other.#anyHost) this.#anyHost.set(key, { ...entry });
    for (const cookie of other.#toughCookies()) this.#putCookie(cookie.clone() ?? cookie);
  }

  /** Stores the Set-Cookie fields of a response received from `url`. Bad cookies are ignored. */
  extract(url: string, setCookies: readonly string[]): void {
    this.#forget();
    for (const header of setCookies) {
      try {
        if (this.#jar().setCookieSync(header, url, { ignoreError: true }))
          this.#count = this.#toughCookies().length;
      } catch {
        // A malformed or foreign-domain Set-Cookie is dropped, as browsers do.
      }
    }
  }

  /** The Cookie header value for a request to `url` ("" when none applies). */
  headerFor(url: string): string {
    if (this.#count === 0 && this.#anyHost.size === 0) return "";
    if (Date.now() >= this.#memoValidUntil) this.#forget();
    const known = this.#headerMemo.get(url);
    if (known !== undefined) return known;
    const header = this.#lookup(url);
    if (this.#headerMemo.size >= MEMO_LIMIT) this.#headerMemo.clear();
    if (this.#headerMemo.size === 0) this.#memoValidUntil = this.#nextExpiry();
    this.#headerMemo.set(url, header);
    return header;
  }

  #lookup(url: string): string {
    let header = this.#count > 0 ? this.#jar().getCookieStringSync(url) : "";
    if (this.#anyHost.size > 0) {
      const { pathname, protocol } = new URL(url);
      for (const [key, entry] of this.#anyHost) {
        if (entry.secure && protocol !== "https:") continue;
        if (!pathname.startsWith(entry.path)) continue;
        const pair = `${key.slice(key.indexOf("\0") + 1)}=${entry.value}`;
        header = header ? `${header}; ${pair}` : pair;
      }
    }
    return header;
  }

  /**
   * Adds the cookies of a Netscape cookies.txt text (the format of curl's `-c` / `-b`).
   * Host-only cookies stay host-only, domain cookies match subdomains; expired ones are skipped,
   * and so are those the jar refuses (a public-suffix domain, say).
   *
   * @throws CookieFileError naming the first malformed line (`line`); nothing is added then.
   */
  loadNetscape(text: string): void {
    const now = Date.now();
    for (const stored of parseNetscapeCookies(text)) {
      if (stored.expires !== null && stored.expires.getTime() <= now) continue;
      const cookie = new (loadTough().Cookie)({
        key: stored.name,
        value: stored.value,
        domain: stored.domain,
        path: stored.path,
        secure: stored.secure,
        httpOnly: stored.httpOnly,
        hostOnly: stored.hostOnly,
        ...(stored.expires !== null ? { expires: stored.expires } : {}),
      });
      try {
        this.#putCookie(cookie);
      } catch {
        // A domain no URL can be built on (or tough-cookie rejects) is dropped like a bad Set-Cookie.
      }
    }
  }

  /**
   * The jar as a Netscape cookies.txt text. Expired cookies are never written; session cookies
   * only with `includeSessionCookies`. Cookies set without a domain (sent to every host) have no
   * cookies.txt form and are left out.
   */
  toNetscape(options: NetscapeSaveOptions = {}): string {
    const now = Date.now();
    const kept: StoredCookie[] = [];
    for (const cookie of this.#toughCookies()) {
      // Max-Age counts from when the cookie was stored; `list()` only reports Expires.
      const expires = cookie.isPersistent()
        ? (cookie.expiryDate(cookie.creation instanceof Date ? cookie.creation : undefined) ?? null)
        : null;
      if (expires === null ? options.includeSessionCookies !== true : expires.getTime() <= now) continue;
      kept.push({ ...storedCookie(cookie), expires });
    }
    return formatNetscapeCookies(kept);
  }

  /** Adds the cookies of a cookies.txt file (see {@link loadNetscape}). */
  async load(path: string): Promise<void> {
    this.loadNetscape(await readFile(path, "utf8"));
  }

  /**
   * Writes the jar to a cookies.txt file curl can read (see {@link toNetscape}). The file is
   * replaced atomically (written aside, then renamed) and created readable by its owner only.
   */
  async save(path: string, options: NetscapeSaveOptions = {}): Promise<void> {
    const text = this.toNetscape(options);
    const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await writeFile(temporary, text, { mode: 0o600 });
      await rename(temporary, path);
    } catch (error) {
      await unlink(temporary).catch(() => {});
      throw error;
    }
  }

  /** A new jar holding the cookies of a cookies.txt file. */
  static async fromFile(path: string): Promise<CookieJar> {
    const jar = new CookieJar();
    await jar.load(path);
    return jar;
  }

  /** The jar changed (or a cookie expired): cached Cookie headers are stale. */
  #forget(): void {
    this.#headerMemo.clear();
    this.#memoValidUntil = Number.POSITIVE_INFINITY;
  }

  /** The first expiry among the stored cookies: the memo holds until then. */
  #nextExpiry(): number {
    let first = Number.POSITIVE_INFINITY;
    for (const cookie of this.#toughCookies()) {
      const at = cookie.expiryTime();
      if (at !== undefined && at < first) first = at;
    }
    return first;
  }

  #putCookie(cookie: Cookie): void {
    this.#forget();
    const domain = cookie.domain ?? "";
    const scheme = cookie.secure ? "https" : "http";
    this.#jar().setCookieSync(cookie, `${scheme}://${domain}${cookie.path ?? "/"}`, { ignoreError: true });
    this.#count = this.#toughCookies().length;
  }

  #jar(): ToughJar {
    this.#tough ??= new (loadTough().CookieJar)(undefined, { looseMode: true });
    return this.#tough;
  }

  #toughCookies(): Cookie[] {
    if (this.#tough === null) return [];
    let all: Cookie[] = [];
    // MemoryCookieStore is synchronous: the callback runs before getAllCookies returns.
    this.#tough.store.getAllCookies((error, cookies) => {
      // Expired cookies linger in the store until a lookup purges them: hide them here.
      if (!error && cookies) all = cookies.filter((c) => c.TTL() > 0);
    });
    return all;
  }
}

function storedCookie(cookie: Cookie): StoredCookie {
  return {
    name: cookie.key,
    value: cookie.value,
    domain: cookie.domain ?? null,
    path: cookie.path ?? "/",
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
    expires: cookie.expires instanceof Date ? cookie.expires : null,
    hostOnly: cookie.hostOnly ?? false,
  };
}
