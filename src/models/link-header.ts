/**
 * `Link` header parsing (RFC 8288) for `Response.links`.
 */

/** One link: its target as given (possibly relative), its relation type, and other parameters. */
export interface LinkEntry {
  url: string;
  rel: string;
  [param: string]: string;
}

/** Assigns without ever touching a prototype (`rel="__proto__"` from a hostile server). */
function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const WHITESPACE = " \t";
const REL_SEPARATOR = /[ \t]+/;

/** A cursor over the header value; every read stops at the structural characters given. */
class Scanner {
  readonly text: string;
  pos = 0;

  constructor(text: string) {
    this.text = text;
  }

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? "";
  }

  skipSpace(): void {
    while (!this.done && WHITESPACE.includes(this.text[this.pos]!)) this.pos++;
  }

  /** Reads up to (not including) any of `stops`, trimmed. */
  readUntil(stops: string): string {
    const start = this.pos;
    while (!this.done && !stops.includes(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos).trim();
  }

  /** Reads a quoted-string (cursor on the opening quote), resolving backslash escapes. */
  readQuoted(): string {
    let out = "";
    this.pos++;
    while (!this.done) {
      const ch = this.text[this.pos++]!;
      if (ch === '"') return out;
      if (ch === "\\" && !this.done) out += this.text[this.pos++]!;
      else out += ch;
    }
    return out;
  }

  /** Skips whatever is left of a malformed element, up to the next separator. */
  skipPast(stops: string): void {
    while (!this.done && !stops.includes(this.text[this.pos]!)) {
      if (this.peek() === '"') this.readQuoted();
      else this.pos++;
    }
  }
}

/** Parses one link-value; the cursor ends on the `,` that follows it, or at the end. */
function parseLink(scanner: Scanner): Record<string, string> | null {
  let url: string;
  if (scanner.peek() === "<") {
    scanner.pos++;
    url = scanner.readUntil(">");
    scanner.pos++;
    scanner.skipPast(";,");
  } else {
    // Lenient like Requests: a bare target without angle brackets.
    url = scanner.readUntil(";,");
  }
  const params: Record<string, string> = {};
  while (scanner.peek() === ";") {
    scanner.pos++;
    scanner.skipSpace();
    const name = scanner.readUntil("=;,").toLowerCase();
    let value = "";
    if (scanner.peek() === "=") {
      scanner.pos++;
      scanner.skipSpace();
      value = scanner.peek() === '"' ? scanner.readQuoted() : scanner.readUntil(";,");
      scanner.skipPast(";,");
    }
    // RFC 8288 §3: only the first occurrence of a parameter counts.
    if (name !== "" && name !== "url" && !Object.hasOwn(params, name)) define(params, name, value);
  }
  if (url === "" && Object.keys(params).length === 0) return null;
  const link: Record<string, string> = {};
  define(link, "url", url);
  for (const [name, value] of Object.entries(params)) define(link, name, value);
  return link;
}

/**
 * Parses a `Link` header value into links keyed by relation type (RFC 8288):
 * `<https://api.example/items?page=2>; rel="next"` gives `{ next: { url, rel: "next" } }`.
 *
 * Commas and semicolons inside `<…>` and quoted strings are honoured; a `rel` listing several
 * space-separated types gives one entry per type (each with that single `rel`); a link without
 * `rel` is keyed by its URL, as in Requests. Parameter names are lower-cased; when two links share
 * a key the later one wins. URLs are returned as given; resolving relative ones is the caller's job.
 */
export function parseLinkHeader(value: string): Record<string, LinkEntry> {
  const result: Record<string, LinkEntry> = {};
  const scanner = new Scanner(value);
  while (!scanner.done) {
    scanner.skipSpace();
    if (scanner.peek() === ",") {
      scanner.pos++;
      continue;
    }
    const link = parseLink(scanner);
    if (scanner.peek() === ",") scanner.pos++;
    if (link === null) continue;
    const url = link.url!;
    const rels = (link.rel ?? "").split(REL_SEPARATOR).filter((rel) => rel !== "");
    // No relation type: keyed by URL, as Requests does.
    if (rels.length === 0) rels.push("");
    for (const rel of rels) {
      const entry: LinkEntry = { url, rel };
      for (const [name, param] of Object.entries(link)) {
        if (name !== "url" && name !== "rel") define(entry, name, param);
      }
      define(result, rel === "" ? url : rel, entry);
    }
  }
  return result;
}
