/**
 * Query strings and form-urlencoded fields, encoded the way Requests does it (Python's
 * `urlencode(..., doseq=True)` with `quote_plus`): UTF-8, space as `+`, everything but
 * `A-Z a-z 0-9 _ . - ~` percent-encoded (so `/` is `%2F`). `null`/`undefined` values are dropped
 * and array values repeat the key. A string input is taken as an already-encoded query.
 */

/** One query/form value; numbers and booleans are sent as `String(value)`. */
export type ParamValue = string | number | boolean;

/** What `params` accepts: a record, `[key, value]` pairs, URLSearchParams, or a raw query string. */
export type ParamsInput =
  | Record<string, ParamValue | ParamValue[] | null | undefined>
  | Array<[string, ParamValue | null | undefined]>
  | URLSearchParams
  | string;

/** A form field value: a param value, or raw bytes (percent-encoded byte by byte). */
export type FieldValue = ParamValue | Uint8Array;

/** Form fields as a record, or `[key, value]` pairs (any iterable of them: arrays, Map, URLSearchParams). */
export type FieldsInput =
  | Record<string, FieldValue | FieldValue[] | null | undefined>
  | Iterable<readonly [string, FieldValue | FieldValue[] | null | undefined]>;

/** 1 for each ASCII byte `quote_plus` leaves as is. */
const SAFE = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) SAFE[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) SAFE[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) SAFE[c] = 1;
for (const ch of "_.-~") SAFE[ch.charCodeAt(0)] = 1;

const PCT: string[] = [];
for (let b = 0; b < 256; b++) PCT.push("%" + b.toString(16).toUpperCase().padStart(2, "0"));

const utf8 = new TextEncoder();

function quoteBytes(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 128 && SAFE[b] === 1) out += String.fromCharCode(b);
    else if (b === 0x20) out += "+";
    else out += PCT[b];
  }
  return out;
}

/**
 * Encodes one key or value like Python's `quote_plus` (UTF-8; lone surrogates become U+FFFD).
 * @param value text, or bytes that are percent-encoded as they are.
 */
export function quotePlus(value: string | Uint8Array): string {
  if (typeof value !== "string") return quoteBytes(value);
  const len = value.length;
  let i = 0;
  while (i < len) {
    const c = value.charCodeAt(i);
    if (c >= 128 || SAFE[c] !== 1) break;
    i++;
  }
  if (i === len) return value;
  return value.slice(0, i) + quoteBytes(utf8.encode(value.slice(i)));
}

function isPairsLike(input: object): input is Iterable<unknown> {
  return typeof (input as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}

/** Calls `visit` for each raw entry of a record or pairs iterable, values untouched. */
function forEachEntry(input: object, visit: (key: string, value: unknown) => void): void {
  if (isPairsLike(input)) {
    for (const entry of input) {
      if (!Array.isArray(entry) || entry.length !== 2) {
        throw new TypeError("Expected [key, value] pairs");
      }
      visit(String(entry[0]), entry[1]);
    }
    return;
  }
  for (const key of Object.keys(input)) visit(key, (input as Record<string, unknown>)[key]);
}

function fieldValue(key: string, value: unknown): string | Uint8Array {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    default:
      if (value instanceof Uint8Array) return value;
      throw new TypeError(
        `Value for ${JSON.stringify(key)} must be a string, number, boolean or Uint8Array, got ${
          value === null ? "null" : typeof value
        }`,
      );
  }
}

/**
 * Visits every field of a record / pairs / URLSearchParams input in order: arrays are flattened
 * (the key repeats), `null`/`undefined` values are skipped, numbers/booleans become strings.
 * Shared by query strings, form-urlencoded and multipart field encoding.
 */
export function forEachField(
  input: FieldsInput | ParamsInput,
  visit: (key: string, value: string | Uint8Array) => void,
): void {
  if (typeof input === "string") throw new TypeError("A string is not a set of fields");
  forEachEntry(input, (key, value) => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const v of value) if (v !== null && v !== undefined) visit(key, fieldValue(key, v));
      return;
    }
    visit(key, fieldValue(key, value));
  });
}

/**
 * Encodes params or form fields as `k=v&k2=v2` (no leading `?`). A string is returned as given.
 * Returns "" when there is nothing to encode.
 */
export function encodeParams(input: ParamsInput | FieldsInput | null | undefined): string {
  if (input === null || input === undefined) return "";
  if (typeof input === "string") return input;
  let out = "";
  forEachField(input, (key, value) => {
    const pair = quotePlus(key) + "=" + quotePlus(value);
    out = out.length === 0 ? pair : out + "&" + pair;
  });
  return out;
}

/**
 * Appends params to `url`'s query, after whatever query it already has (kept as it is, never
 * re-encoded), each input in order. Call it with the result of {@link mergeParams} or with
 * session params then request params.
 */
export function applyParams(url: URL, ...params: Array<ParamsInput | null | undefined>): void {
  if (params.length === 0) return;
  let extra = "";
  for (const p of params) {
    if (p === null || p === undefined) continue;
    const encoded = encodeParams(p);
    if (encoded.length > 0) extra = extra.length === 0 ? encoded : extra + "&" + encoded;
  }
  if (extra.length === 0) return;
  const current = url.search; // "" or "?…"
  url.search = current.length > 1 ? current.slice(1) + "&" + extra : extra;
}

function normalizedValues(value: unknown): ParamValue[] {
  if (value === null || value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v) => v !== null && v !== undefined) as ParamValue[];
}

/**
 * Merges session params with request params, as Requests merges its dicts: a key the request
 * sets replaces all of the session's values for that key (at the session key's position), a key
 * the request sets to `null`/`undefined` removes it, other request keys follow in order.
 * A raw string on either side cannot be merged key by key: both are kept, session first.
 * @returns the merged params, or null when neither side has any.
 */
export function mergeParams(
  sessionParams: ParamsInput | null | undefined,
  requestParams: ParamsInput | null | undefined,
): ParamsInput | null {
  if (requestParams === null || requestParams === undefined) return sessionParams ?? null;
  if (sessionParams === null || sessionParams === undefined) return requestParams;
  if (typeof sessionParams === "string" || typeof requestParams === "string") {
    const a = encodeParams(sessionParams);
    const b = encodeParams(requestParams);
    return a.length === 0 ? b : b.length === 0 ? a : a + "&" + b;
  }
  const overrides = new Map<string, ParamValue[]>();
  forEachEntry(requestParams, (key, value) => {
    const values = normalizedValues(value);
    const known = overrides.get(key);
    if (known === undefined) overrides.set(key, values);
    else known.push(...values);
  });
  const merged: Array<[string, ParamValue]> = [];
  const placed = new Set<string>();
  const place = (key: string, values: ParamValue[]) => {
    placed.add(key);
    for (const v of values) merged.push([key, v]);
  };
  forEachEntry(sessionParams, (key, value) => {
    const override = overrides.get(key);
    if (override === undefined) {
      for (const v of normalizedValues(value)) merged.push([key, v]);
    } else if (!placed.has(key)) {
      place(key, override);
    }
  });
  for (const [key, values] of overrides) if (!placed.has(key)) place(key, values);
  return merged;
}
