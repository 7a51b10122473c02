/**
 * How {@link objectHeaders} reads each well-known header: one value or a list, and how a value
 * is cut into its main part and parameters. Headers not listed here are one value, main part
 * before the first `;`, parameters after it.
 *
 * Keep `KnownObjectHeaders` (object-headers.ts) in step with the lists here; no list may start
 * with "x-", since `ObjectHeaders` types every `x…` attribute as one value.
 */
import type { ParseSpec } from "./header-value.ts";

/** One header's reading rule. */
export interface HeaderKind {
  /**
   * `"one"`: a single value (several fields are joined with ", " first, as RFC 9110 allows);
   * `"split"`: a comma-separated list, one value per member, across all fields;
   * `"fields"`: one value per field, never cut at commas (Set-Cookie: Expires holds a comma).
   */
  multi: "one" | "split" | "fields";
  spec: ParseSpec;
}

const DEFAULT_KIND: HeaderKind = { multi: "one", spec: { shape: "main" } };
const QUALITY = new Set(["q"]);
const CACHE_NUMBERS = new Set([
  "max-age",
  "s-maxage",
  "max-stale",
  "min-fresh",
  "stale-while-revalidate",
  "stale-if-error",
]);

const list = (spec: ParseSpec = { shape: "main" }): HeaderKind => ({ multi: "split", spec });
const opaque: HeaderKind = { multi: "one", spec: { shape: "opaque" } };
const numeric: HeaderKind = { multi: "one", spec: { shape: "opaque", numericValue: true } };

const KINDS = new Map<string, HeaderKind>([
  // Set-Cookie is the one header whose fields must never be joined or split (RFC 9110 §5.3).
  [
    "set-cookie",
    { multi: "fields", spec: { shape: "main", quotes: false, numericParams: new Set(["max-age"]) } },
  ],
  // Challenges: one per field. Several challenges folded into one field are not told apart,
  // since their commas cannot be separated from the parameter commas without a full grammar.
  ["www-authenticate", { multi: "fields", spec: { shape: "scheme" } }],
  ["proxy-authenticate", { multi: "fields", spec: { shape: "scheme" } }],

  ["accept", list({ shape: "main", numericParams: QUALITY })],
  ["accept-charset", list({ shape: "main", numericParams: QUALITY })],
  ["accept-encoding", list({ shape: "main", numericParams: QUALITY })],
  ["accept-language", list({ shape: "main", numericParams: QUALITY })],
  ["te", list({ shape: "main", numericParams: QUALITY })],
  ["access-control-allow-headers", list()],
  ["access-control-allow-methods", list()],
  ["access-control-expose-headers", list()],
  ["access-control-request-headers", list()],
  ["allow", list()],
  ["alt-svc", list({ shape: "main", numericParams: new Set(["ma"]) })],
  ["connection", list()],
  ["content-encoding", list()],
  ["content-language", list()],
  ["if-match", list()],
  ["if-none-match", list()],
  ["link", list({ shape: "main", angleValue: true })],
  ["trailer", list()],
  ["transfer-encoding", list()],
  ["upgrade", list()],
  ["vary", list()],
  ["via", list()],

  // Directive lists: no main value, each directive is a parameter.
  [
    "cache-control",
    { multi: "one", spec: { shape: "directives", separators: ",", numericParams: CACHE_NUMBERS } },
  ],
  ["pragma", { multi: "one", spec: { shape: "directives", separators: "," } }],
  [
    "keep-alive",
    {
      multi: "one",
      spec: { shape: "directives", separators: ",", numericParams: new Set(["timeout", "max"]) },
    },
  ],
  [
    "strict-transport-security",
    { multi: "one", spec: { shape: "directives", numericParams: new Set(["max-age"]) } },
  ],

  ["content-length", numeric],
  ["age", numeric],
  ["access-control-max-age", numeric],
  ["max-forwards", numeric],

  // Free text, dates, URLs and JSON: a `;` in them is no parameter separator.
  ["date", opaque],
  ["expires", opaque],
  ["last-modified", opaque],
  ["if-modified-since", opaque],
  ["if-unmodified-since", opaque],
  ["if-range", opaque],
  ["retry-after", opaque],
  ["location", opaque],
  ["content-location", opaque],
  ["referer", opaque],
  ["origin", opaque],
  ["host", opaque],
  ["access-control-allow-origin", opaque],
  ["server", opaque],
  ["user-agent", opaque],
  ["etag", opaque],
  ["content-range", opaque],
  ["authorization", opaque],
  ["proxy-authorization", opaque],
  ["cookie", opaque],
  ["content-security-policy", opaque],
  ["content-security-policy-report-only", opaque],
  ["permissions-policy", opaque],
  ["report-to", opaque],
  ["nel", opaque],
]);

/** The reading rule of a header, by name in any case. */
export function headerKind(name: string): HeaderKind {
  return KINDS.get(name.toLowerCase()) ?? DEFAULT_KIND;
}
