/**
 * The headers container of the public API: case-insensitive lookup, the first-set spelling of a
 * name kept for the wire, several values per name kept apart (Set-Cookie), insertion order kept.
 */
import type { HeaderList } from "../protocols/events.ts";

/** One header value as accepted on input; numbers are stringified, arrays give several values. */
export type HeaderValue = string | number | readonly string[];

/**
 * Everything the constructor, {@link CaseInsensitiveDict.update} and
 * {@link CaseInsensitiveDict.equals} accept: a record (`null`/`undefined` values skipped), pairs
 * or a {@link HeaderList}, WHATWG `Headers`, a `Map`, or another `CaseInsensitiveDict`.
 */
export type CaseInsensitiveDictInit =
  | CaseInsensitiveDict
  | Iterable<readonly [string, HeaderValue]>
  | Readonly<Record<string, HeaderValue | null | undefined>>;

interface Entry {
  /** The spelling of the name when it was first set. */
  name: string;
  values: string[];
}

/** Limits of the index-free lookup path (see `#scannable`). */
const SCAN_MAX_FIELDS = 32;
const SCAN_MAX_LOOKUPS = 16;

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

/** The list {@link CaseInsensitiveDict.fromList} hands its constructor (set just before, cleared by it). */
let adopted: HeaderList | null = null;

function join(values: readonly string[]): string {
  return values.length === 1 ? values[0]! : values.join(", ");
}

function toValues(value: HeaderValue): string[] {
  if (typeof value === "string") return [value];
  if (typeof value === "number") return [String(value)];
  if (Array.isArray(value)) return value.map(String);
  throw new TypeError(`Invalid header value: ${String(value)}`);
}

/**
 * A case-insensitive multi-map of header fields.
 *
 * `get` joins several values with `", "` (as Requests does, Set-Cookie included); `getAll` keeps
 * them apart; `toList` gives them back as separate wire pairs. Iteration yields one
 * `[name, joinedValue]` entry per distinct name, in the order names were first set.
 *
 * @example
 * const h = new CaseInsensitiveDict({ "Content-Type": "text/html" });
 * h.get("content-type"); // "text/html"
 */
export class CaseInsensitiveDict implements Iterable<[string, string]> {
  /** Lower-cased name -> entry; built lazily so responses that never look a header up pay nothing. */
  #index: Map<string, Entry> | null = null;
  /** The untouched wire list, kept until the first mutation so `toList` keeps the exact wire order. */
  #wire: HeaderList | null = null;
  /** Lookups answered by scanning {@link #wire}; past a few, building the index pays off. */
  #scans = 0;

  constructor(init?: CaseInsensitiveDictInit | null) {
    if (adopted !== null) {
      // fromList: take the wire list over, no index Map made only to be dropped.
      this.#wire = adopted;
      adopted = null;
      return;
    }
    if (init == null) {
      this.#index = new Map();
      return;
    }
    if (init instanceof CaseInsensitiveDict) {
      const wire = init.#wire;
      if (wire !== null && init.#index === null) {
        this.#wire = wire.slice();
        return;
      }
      this.#index = new Map();
      for (const [key, entry] of init.#map()) {
        this.#index.set(key, { name: entry.name, values: entry.values.slice() });
      }
      this.#wire = wire === null ? null : wire.slice();
      return;
    }
    this.#index = new Map();
    this.#appendAll(init);
  }

  /**
   * Wraps a wire header list without copying or indexing it (the response hot path). The list is
   * taken over: the caller must not mutate it afterwards.
   */
  static fromList(list: HeaderList): CaseInsensitiveDict {
    adopted = list;
    return new CaseInsensitiveDict();
  }

  #map(): Map<string, Entry> {
    let index = this.#index;
    if (index !== null) return index;
    index = new Map();
    for (const [name, value] of this.#wire!) {
      const key = name.toLowerCase();
      const entry = index.get(key);
      if (entry === undefined) index.set(key, { name, values: [value] });
      else entry.values.push(value);
    }
    this.#index = index;
    return index;
  }

  /**
   * The wire list to scan for a lookup, or null when the index should be used. A short list
   * scanned a few times beats building a Map (measured: ~2x on a 12-field response, 6 lookups).
   */
  #scannable(): HeaderList | null {
    const wire = this.#wire;
    if (this.#index !== null || wire === null) return null;
    if (wire.length > SCAN_MAX_FIELDS || ++this.#scans > SCAN_MAX_LOOKUPS) return null;
    return wire;
  }

  /** Called before every mutation: the wire list no longer describes the contents. */
  #mutable(): Map<string, Entry> {
    const index = this.#map();
    this.#wire = null;
    return index;
  }

  #appendAll(init: CaseInsensitiveDictInit): void {
    if (init instanceof CaseInsensitiveDict) {
      for (const [name, value] of init.toList()) this.append(name, value);
      return;
    }
    if (typeof (init as Iterable<unknown>)[Symbol.iterator] === "function") {
      for (const pair of init as Iterable<readonly [string, HeaderValue]>) {
        if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") {
          throw new TypeError("Header pairs must be [name, value] arrays");
        }
        this.append(pair[0], pair[1]);
      }
      return;
    }
    for (const name of Object.keys(init)) {
      const value = (init as Record<string, HeaderValue | null | undefined>)[name];
      if (value != null) this.append(name, value);
    }
  }

  /** The value of `name`, several values joined with `", "`, or `null` when absent. */
  get(name: string): string | null {
    const wire = this.#scannable();
    if (wire !== null) {
      const key = name.toLowerCase();
      let out: string | null = null;
      for (const [field, value] of wire) {
        if (field.length === key.length && field.toLowerCase() === key) {
          out = out === null ? value : `${out}, ${value}`;
        }
      }
      return out;
    }
    const entry = this.#map().get(name.toLowerCase());
    return entry === undefined ? null : join(entry.values);
  }

  /** Every value of `name` apart, in the order received (empty when absent). */
  getAll(name: string): string[] {
    const wire = this.#scannable();
    if (wire !== null) {
      const key = name.toLowerCase();
      const out: string[] = [];
      for (const [field, value] of wire) {
        if (field.length === key.length && field.toLowerCase() === key) out.push(value);
      }
      return out;
    }
    const entry = this.#map().get(name.toLowerCase());
    return entry === undefined ? [] : entry.values.slice();
  }

  /** Replaces every value of `name`; the first-set spelling of the name is kept. */
  set(name: string, value: HeaderValue): this {
    const values = toValues(value);
    if (values.length === 0) {
      this.delete(name);
      return this;
    }
    const index = this.#mutable();
    const key = name.toLowerCase();
    const entry = index.get(key);
    if (entry === undefined) index.set(key, { name, values });
    else entry.values = values;
    return this;
  }

  /** Adds a value to `name`, keeping the values already there. */
  append(name: string, value: HeaderValue): this {
    const values = toValues(value);
    if (values.length === 0) return this;
    const index = this.#mutable();
    const key = name.toLowerCase();
    const entry = index.get(key);
    if (entry === undefined) index.set(key, { name, values });
    else entry.values.push(...values);
    return this;
  }

  /** Sets every header of `init` (replacing same-named ones here), as Python's `dict.update`. */
  update(init: CaseInsensitiveDictInit): this {
    const other = init instanceof CaseInsensitiveDict ? init : new CaseInsensitiveDict(init);
    for (const entry of other.#map().values()) this.set(entry.name, entry.values);
    return this;
  }

  has(name: string): boolean {
    const wire = this.#scannable();
    if (wire !== null) {
      const key = name.toLowerCase();
      return wire.some(([field]) => field.length === key.length && field.toLowerCase() === key);
    }
    return this.#map().has(name.toLowerCase());
  }

  /** Removes `name`; true when it was present. */
  delete(name: string): boolean {
    const key = name.toLowerCase();
    if (!this.#map().has(key)) return false;
    return this.#mutable().delete(key);
  }

  /** The number of distinct names. */
  get size(): number {
    return this.#map().size;
  }

  /** Names in their first-set spelling. */
  *keys(): IterableIterator<string> {
    for (const entry of this.#map().values()) yield entry.name;
  }

  /** Joined values, one per name. */
  *values(): IterableIterator<string> {
    for (const entry of this.#map().values()) yield join(entry.values);
  }

  /** `[name, joinedValue]`, one per name. */
  *entries(): IterableIterator<[string, string]> {
    for (const entry of this.#map().values()) yield [entry.name, join(entry.values)];
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** `[lowerCaseName, joinedValue]`, one per name (Requests' `lower_items`). */
  *lowerItems(): IterableIterator<[string, string]> {
    for (const [key, entry] of this.#map()) yield [key, join(entry.values)];
  }

  forEach(callback: (value: string, name: string, dict: this) => void): void {
    for (const entry of this.#map().values()) callback(join(entry.values), entry.name, this);
  }

  copy(): CaseInsensitiveDict {
    return new CaseInsensitiveDict(this);
  }

  /** A plain `{ name: joinedValue }` object (what `JSON.stringify` sees). */
  toJSON(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const entry of this.#map().values()) {
      Object.defineProperty(out, entry.name, {
        value: join(entry.values),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }

  /**
   * Wire pairs, several values of a name as separate pairs. Unmodified since `fromList`, this is
   * the exact received order; after a change, pairs are grouped by name in first-set order.
   */
  toList(): HeaderList {
    if (this.#wire !== null) return this.#wire.slice();
    const out: HeaderList = [];
    for (const entry of this.#index!.values()) {
      for (const value of entry.values) out.push([entry.name, value]);
    }
    return out;
  }

  /** Same names (case-insensitively) with the same joined values, in any order. */
  equals(other: CaseInsensitiveDictInit | null | undefined): boolean {
    if (other == null) return false;
    const that = other instanceof CaseInsensitiveDict ? other : new CaseInsensitiveDict(other);
    const mine = this.#map();
    const theirs = that.#map();
    if (mine.size !== theirs.size) return false;
    for (const [key, entry] of mine) {
      const peer = theirs.get(key);
      if (peer === undefined || join(peer.values) !== join(entry.values)) return false;
    }
    return true;
  }

  toString(): string {
    return JSON.stringify(this.toJSON());
  }

  get [Symbol.toStringTag](): string {
    return "CaseInsensitiveDict";
  }

  [inspectSymbol](
    _depth: number,
    options: object,
    inspect: (value: unknown, options: object) => string,
  ): string {
    return `CaseInsensitiveDict ${inspect(this.toJSON(), options)}`;
  }
}
