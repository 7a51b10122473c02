/**
 * Credentials from a netrc file (`trustEnv`): the file named by `NETRC`, else `~/.netrc`, else
 * `~/_netrc`, looked up by the URL's host name, as Requests' `get_netrc_auth` does. A missing,
 * unreadable or malformed file means no credentials, never an error.
 */
import { readFileSync, statSync } from "node:fs";
import { homedir as osHomedir } from "node:os";
import { join } from "node:path";

/** login, account, password of one `machine` or `default` entry. */
type NetrcEntry = readonly [login: string, account: string, password: string];

interface CachedFile {
  mtimeMs: number;
  size: number;
  /** Entries by lower-cased machine name ("default" under a key no host name can take); null when malformed. */
  entries: Map<string, NetrcEntry> | null;
}

export interface NetrcOptions {
  /** Where `NETRC` is read from; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
  /** The home directory for `~/.netrc` and `~`; `$HOME`, else the OS's, by default. */
  homedir?: string;
}

/** A `default` entry, stored under a key that is not a valid host name. */
const DEFAULT_KEY = " default";
const WHITESPACE = "\n\t\r ";

/** Parsed files by path; an entry is reused while the file's mtime and size are unchanged. */
const cache = new Map<string, CachedFile>();

/**
 * `[username, password]` for the URL's host from the netrc file, falling back to its `default`
 * entry; null when there is no file, no matching entry, or the file cannot be read or parsed.
 * Host names match case-insensitively; the port is ignored. An entry without `login` uses its
 * `account` as the user name (as Requests does).
 */
export function netrcAuth(url: URL, options: NetrcOptions = {}): [string, string] | null {
  const env = options.env ?? process.env;
  const home = options.homedir ?? (env.HOME || env.USERPROFILE || osHomedir());
  const candidates = env.NETRC ? [expandHome(env.NETRC, home)] : [join(home, ".netrc"), join(home, "_netrc")];
  for (const path of candidates) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(path);
    } catch {
      continue;
    }
    // The first path that exists is the netrc file, even if it turns out unusable (Requests).
    const entries = stat.isFile() ? load(path, stat.mtimeMs, stat.size) : null;
    if (entries === null) return null;
    let host = url.hostname.toLowerCase();
    if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
    const entry = entries.get(host) ?? entries.get(DEFAULT_KEY);
    if (entry === undefined) return null;
    const [login, account, password] = entry;
    return [login || account, password];
  }
  return null;
}

function expandHome(path: string, home: string): string {
  if (path === "~") return home;
  return path.startsWith("~/") || path.startsWith("~\\") ? join(home, path.slice(2)) : path;
}

function load(path: string, mtimeMs: number, size: number): Map<string, NetrcEntry> | null {
  const cached = cache.get(path);
  if (cached && cached.mtimeMs === mtimeMs && cached.size === size) return cached.entries;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  const entries = parseNetrc(text);
  cache.set(path, { mtimeMs, size, entries });
  return entries;
}

/** Tokens of the netrc grammar: whitespace-separated, `"quoted"` and backslash escapes allowed. */
class Lexer {
  #pos = 0;
  /** True when the last token was ended by a newline (so the "rest of its line" is empty). */
  #atLineStart = true;

  constructor(readonly text: string) {}

  /** The next token, or null at the end. `quoted` tells a keyword from a quoted look-alike. */
  next(): { value: string; quoted: boolean } | null {
    const { text } = this;
    while (this.#pos < text.length && WHITESPACE.includes(text[this.#pos]!)) this.#pos++;
    if (this.#pos >= text.length) return null;
    const quoted = text[this.#pos] === '"';
    if (quoted) this.#pos++;
    let value = "";
    this.#atLineStart = false;
    while (this.#pos < text.length) {
      let ch = text[this.#pos++]!;
      if (quoted ? ch === '"' : WHITESPACE.includes(ch)) {
        this.#atLineStart = ch === "\n";
        break;
      }
      if (ch === "\\" && this.#pos < text.length) ch = text[this.#pos++]!;
      value += ch;
    }
    return { value, quoted };
  }

  /** Skips what is left of the current line. */
  skipLine(): void {
    if (this.#atLineStart) return;
    const newline = this.text.indexOf("\n", this.#pos);
    this.#pos = newline < 0 ? this.text.length : newline + 1;
    this.#atLineStart = true;
  }

  /** Skips a macdef body: the lines after the macdef line, up to an empty line (or the end). */
  skipMacro(): void {
    this.skipLine();
    const { text } = this;
    while (this.#pos < text.length) {
      const newline = text.indexOf("\n", this.#pos);
      const end = newline < 0 ? text.length : newline;
      const line = text.slice(this.#pos, end);
      this.#pos = newline < 0 ? text.length : newline + 1;
      if (line === "" || line === "\r") return;
    }
  }
}

/** Entries by lower-cased machine name; null when the file breaks the grammar. Later entries win (Python). */
export function parseNetrc(text: string): Map<string, NetrcEntry> | null {
  const lexer = new Lexer(text);
  const entries = new Map<string, NetrcEntry>();
  let token = lexer.next();
  while (token !== null) {
    const keyword = token.quoted ? null : token.value;
    if (keyword?.startsWith("#")) {
      lexer.skipLine();
      token = lexer.next();
      continue;
    }
    let key: string;
    if (keyword === "machine") {
      const name = lexer.next();
      if (name === null || name.value === "") return null;
      key = name.value.toLowerCase();
    } else if (keyword === "default") {
      key = DEFAULT_KEY;
    } else if (keyword === "macdef") {
      if (lexer.next() === null) return null;
      lexer.skipMacro();
      token = lexer.next();
      continue;
    } else {
      return null;
    }
    let login = "";
    let account = "";
    let password = "";
    for (;;) {
      token = lexer.next();
      const follower = token === null || token.quoted ? null : token.value;
      if (token === null || follower === "machine" || follower === "default" || follower === "macdef") break;
      if (follower?.startsWith("#")) {
        lexer.skipLine();
        continue;
      }
      if (follower !== "login" && follower !== "user" && follower !== "account" && follower !== "password")
        return null;
      // A keyword with nothing after it at the end of the file gives "" (as in Python).
      const value = lexer.next()?.value ?? "";
      if (follower === "password") password = value;
      else if (follower === "account") account = value;
      else login = value;
    }
    entries.set(key, [login, account, password]);
  }
  return entries;
}
