/**
 * HTTP Digest authentication (RFC 7616, with RFC 2069/2617 fallbacks). The first request goes out
 * bare; a 401 challenge is answered once. Later requests to the same origin carry the answer up
 * front (pre-emptive), counting `nc` up on the same nonce, until the server issues a new one.
 */
import { createHash, randomBytes } from "node:crypto";
import { InvalidHeader, UnrewindableBodyError } from "../errors/errors.ts";
import type { PreparedRequest } from "../models/prepared-request.ts";
import type { Response } from "../models/response.ts";
import { AuthBase } from "./auth-base.ts";

/** One challenge of a WWW-Authenticate field: its scheme and auth-params (names lower-cased). */
export interface AuthChallenge {
  /** The scheme as the server spelled it ("Digest", "Basic" …). */
  scheme: string;
  /** Auth-params, unquoted and unescaped; the first occurrence of a name wins. */
  params: Map<string, string>;
  /** The token68 form (`Negotiate abc==`), when the challenge used it instead of params. */
  token68: string | null;
}

export interface HTTPDigestAuthOptions {
  /** Makes the client nonce; random 128 bits by default. Tests pin it to reproduce known answers. */
  cnonce?: () => string;
}

/** Algorithm names (upper-cased, `-sess` removed) to node:crypto hashes. SHA and SHA-512 are not RFC 7616 but common (Requests, httpbin). */
const HASHES: Record<string, string> = {
  MD5: "md5",
  SHA: "sha1",
  "SHA-256": "sha256",
  "SHA-512": "sha512",
  "SHA-512-256": "sha512-256",
};

interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque: string | null;
  /** The algorithm exactly as sent, echoed back; null when the server named none (MD5). */
  algorithm: string | null;
  hash: string;
  sess: boolean;
  qop: "auth" | "auth-int" | null;
  userhash: boolean;
  stale: boolean;
}

/** What this auth knows about one origin: its latest challenge and the requests made on its nonce. */
interface OriginState {
  challenge: DigestChallenge;
  nc: number;
}

/** Per call: how many challenges were answered, so a rejected answer is not retried forever. */
interface Flow {
  answered: number;
  staleRetried: boolean;
}

/**
 * HTTP Digest authentication. One instance keeps per-origin state, so a Session reusing it
 * answers later requests pre-emptively.
 *
 * - Algorithms: MD5, SHA-256, SHA-512-256 (RFC 7616), SHA and SHA-512 (legacy), each with `-sess`.
 * - qop `auth`; `auth-int` only when the server offers nothing else: the body is hashed (bytes,
 *   or a rewindable stream read once more); a one-shot stream body throws UnrewindableBodyError.
 * - A rejected answer is not retried, except once when the server says `stale=true`, or when the
 *   rejected request was a pre-emptive one (its nonce may simply have expired).
 * - Only origins this auth was applied to get answers: a redirect to another host does not.
 * - A challenge with an unknown algorithm or qop throws InvalidHeader (with the 401 as `response`).
 *
 * @example
 * const s = new Session({ auth: new HTTPDigestAuth("user", "pass") });
 */
export class HTTPDigestAuth extends AuthBase {
  readonly username: string;
  readonly password: string;
  readonly #cnonce: () => string;
  readonly #origins = new Map<string, OriginState>();
  /** Origins the user sent requests to with this auth; challenges from elsewhere are not answered. */
  readonly #applied = new Set<string>();
  readonly #flows = new WeakMap<PreparedRequest, Flow>();

  constructor(username: string, password: string, options: HTTPDigestAuthOptions = {}) {
    super();
    this.username = username;
    this.password = password;
    this.#cnonce = options.cnonce ?? (() => randomBytes(16).toString("hex"));
  }

  /** Adds a pre-emptive answer when a challenge for this origin is already known. */
  async apply(request: PreparedRequest): Promise<PreparedRequest> {
    const key = originKey(request.parsedUrl());
    this.#applied.add(key);
    const state = this.#origins.get(key);
    if (state && !(state.challenge.qop === "auth-int" && isOneShot(request))) {
      request.headers.set("Authorization", await this.#authorization(request, state));
    }
    return request;
  }

  /** Answers a Digest 401 with a copy of the request carrying the credentials; null keeps the response. */
  override async handleResponse(
    response: Response,
    request: PreparedRequest,
  ): Promise<PreparedRequest | null> {
    const key = originKey(request.parsedUrl());
    const sentDigest = /^digest\s/i.test(request.headers.get("Authorization") ?? "");
    if (response.statusCode !== 401) {
      if (sentDigest) this.#takeNextNonce(response, key);
      return null;
    }
    if (!this.#applied.has(key)) return null;
    const challenge = pickChallenge(response, request);
    if (challenge === null) return null;
    const flow = this.#flows.get(request) ?? { answered: 0, staleRetried: false };
    if (sentDigest) {
      if (challenge.stale && !flow.staleRetried) flow.staleRetried = true;
      else if (flow.answered > 0) {
        // Our answer was rejected outright: the credentials are wrong, do not offer them again.
        this.#origins.delete(key);
        return null;
      }
    }
    if (challenge.qop === "auth-int" && isOneShot(request)) {
      await response.close();
      const message = "A streamed request body cannot be re-sent to answer a digest challenge";
      throw new UnrewindableBodyError(message, { request, response });
    }
    flow.answered++;
    const previous = this.#origins.get(key);
    const state: OriginState = {
      challenge,
      nc: previous?.challenge.nonce === challenge.nonce ? previous.nc : 0,
    };
    this.#origins.set(key, state);
    const next = request.copy();
    // The pipeline rebuilds Cookie from the jar, which now holds what the 401 set.
    next.headers.delete("Cookie");
    next.headers.set("Authorization", await this.#authorization(next, state));
    this.#flows.set(next, flow);
    return next;
  }

  /** RFC 7616 §3.5: a `nextnonce` in Authentication-Info replaces the nonce for later requests. */
  #takeNextNonce(response: Response, key: string): void {
    const info = response.headers.get("Authentication-Info");
    const state = this.#origins.get(key);
    if (!info || !state) return;
    const nextnonce = parseAuthParams(info).get("nextnonce");
    if (nextnonce && nextnonce !== state.challenge.nonce) {
      this.#origins.set(key, { challenge: { ...state.challenge, nonce: nextnonce, stale: false }, nc: 0 });
    }
  }

  /** The Authorization value for `request` under `state`'s challenge; counts the nonce use. */
  async #authorization(request: PreparedRequest, state: OriginState): Promise<string> {
    const { challenge } = state;
    const { realm, nonce, qop } = challenge;
    const url = request.parsedUrl();
    const uri = url.pathname + url.search;
    const nc = (++state.nc).toString(16).padStart(8, "0");
    const cnonce = this.#cnonce();
    const hex = (data: string | Uint8Array): string => createHash(challenge.hash).update(data).digest("hex");
    let ha1 = hex(`${this.username}:${realm}:${this.password}`);
    if (challenge.sess) ha1 = hex(`${ha1}:${nonce}:${cnonce}`);
    const a2 =
      qop === "auth-int"
        ? `${request.method}:${uri}:${await bodyDigest(request, challenge.hash)}`
        : `${request.method}:${uri}`;
    const ha2 = hex(a2);
    const digest = qop ? hex(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : hex(`${ha1}:${nonce}:${ha2}`);

    const fields: string[] = [];
    if (challenge.userhash) fields.push(`username="${hex(`${this.username}:${realm}`)}"`);
    else if (needsExtendedNotation(this.username))
      fields.push(`username*=UTF-8''${encodeExtValue(this.username)}`);
    else fields.push(`username=${quote(this.username)}`);
    fields.push(`realm=${quote(realm)}`, `uri=${quote(uri)}`);
    if (challenge.algorithm !== null) fields.push(`algorithm=${challenge.algorithm}`);
    fields.push(`nonce=${quote(nonce)}`);
    if (qop) fields.push(`nc=${nc}`, `cnonce=${quote(cnonce)}`, `qop=${qop}`);
    else if (challenge.sess) fields.push(`cnonce=${quote(cnonce)}`);
    fields.push(`response="${digest}"`);
    if (challenge.opaque !== null) fields.push(`opaque=${quote(challenge.opaque)}`);
    if (challenge.userhash) fields.push("userhash=true");
    return `Digest ${fields.join(", ")}`;
  }
}

/** The first usable Digest challenge of the response, null when it has none. */
function pickChallenge(response: Response, request: PreparedRequest): DigestChallenge | null {
  const digests = response.headers
    .getAll("WWW-Authenticate")
    .flatMap(parseChallenges)
    .filter((challenge) => challenge.scheme.toLowerCase() === "digest");
  if (digests.length === 0) return null;
  // Servers list their preferred challenge first (RFC 7616 §3.7); take the first we can answer.
  const problems: string[] = [];
  for (const challenge of digests) {
    const digest = toDigestChallenge(challenge);
    if (typeof digest !== "string") return digest;
    problems.push(digest);
  }
  void response.close();
  throw new InvalidHeader(`Cannot answer the digest challenge: ${problems.join("; ")}`, {
    request,
    response,
  });
}

/** The challenge in usable form, or why it cannot be answered. */
function toDigestChallenge(challenge: AuthChallenge): DigestChallenge | string {
  const { params } = challenge;
  const nonce = params.get("nonce");
  if (nonce === undefined) return "no nonce";
  const algorithm = params.get("algorithm") ?? null;
  let name = (algorithm ?? "MD5").toUpperCase();
  const sess = name.endsWith("-SESS");
  if (sess) name = name.slice(0, -5);
  const hash = HASHES[name];
  if (hash === undefined) return `unsupported algorithm ${JSON.stringify(algorithm)}`;
  const offered = (params.get("qop") ?? "")
    .split(",")
    .map((option) => option.trim().toLowerCase())
    .filter((option) => option !== "");
  let qop: DigestChallenge["qop"] = null;
  if (offered.includes("auth")) qop = "auth";
  else if (offered.includes("auth-int")) qop = "auth-int";
  else if (offered.length > 0) return `unsupported qop ${JSON.stringify(params.get("qop"))}`;
  return {
    realm: params.get("realm") ?? "",
    nonce,
    opaque: params.get("opaque") ?? null,
    algorithm,
    hash,
    sess,
    qop,
    userhash: params.get("userhash")?.toLowerCase() === "true",
    stale: params.get("stale")?.toLowerCase() === "true",
  };
}

/** H(entity-body) for qop=auth-int: bytes as they are, a rewindable stream read once more. */
async function bodyDigest(request: PreparedRequest, hashName: string): Promise<string> {
  const hash = createHash(hashName);
  const body = request.body;
  if (body instanceof Uint8Array) hash.update(body);
  else if (body !== null) for await (const chunk of body.open()) hash.update(chunk);
  return hash.digest("hex");
}

function isOneShot(request: PreparedRequest): boolean {
  const body = request.body;
  return body !== null && !(body instanceof Uint8Array) && !body.rewindable;
}

/** Scheme + host + port: `URL.origin` is "null" for the `http+unix:` family. */
function originKey(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, "\\$&")}"`;
}

/** True when the username cannot go in a quoted-string (RFC 7616 §3.4.4 then wants `username*`). */
function needsExtendedNotation(value: string): boolean {
  return /[^\x20-\x7e]/.test(value);
}

/** RFC 8187 ext-value body: UTF-8 bytes, percent-encoded except attr-char. */
function encodeExtValue(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9!#$&+\-.^_`|~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

// --- WWW-Authenticate / Authentication-Info parsing (RFC 9110 §11) --------------------------------

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;
const OWS = /[ \t]*/y;
const SEPARATORS = /[ \t,]+/y;
const BARE_VALUE = /[^,\s]*/y;

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? "";
  }

  match(pattern: RegExp): string | null {
    pattern.lastIndex = this.pos;
    const found = pattern.exec(this.text);
    if (found === null) return null;
    this.pos = pattern.lastIndex;
    return found[0];
  }

  skipOws(): void {
    this.match(OWS);
  }

  /** Skips to just past the next comma (or the end): how a malformed element is dropped. */
  skipElement(): void {
    const comma = this.text.indexOf(",", this.pos);
    this.pos = comma < 0 ? this.text.length : comma + 1;
  }

  /** A quoted-string at the cursor, unescaped; an unterminated one runs to the end. */
  quoted(): string {
    let out = "";
    this.pos++;
    while (!this.done) {
      const ch = this.text[this.pos++]!;
      if (ch === '"') return out;
      out += ch === "\\" && !this.done ? this.text[this.pos++]! : ch;
    }
    return out;
  }
}

/**
 * Parses one WWW-Authenticate (or Proxy-Authenticate) field value, which may hold several
 * challenges: `Basic realm="a", Digest realm="b", nonce="n"`. Malformed elements are skipped.
 */
export function parseChallenges(value: string): AuthChallenge[] {
  const cursor = new Cursor(value);
  const challenges: AuthChallenge[] = [];
  for (;;) {
    cursor.match(SEPARATORS);
    if (cursor.done) return challenges;
    const scheme = cursor.match(TOKEN);
    if (scheme === null) {
      cursor.skipElement();
      continue;
    }
    const challenge: AuthChallenge = { scheme, params: new Map(), token68: null };
    challenges.push(challenge);
    cursor.skipOws();
    const start = cursor.pos;
    const token68 = cursor.match(TOKEN68);
    if (token68 !== null) {
      cursor.skipOws();
      if (cursor.done || cursor.peek() === ",") {
        challenge.token68 = token68;
        continue;
      }
      cursor.pos = start;
    }
    readParams(cursor, challenge.params);
  }
}

/** Parses a bare auth-param list, as in Authentication-Info. */
export function parseAuthParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  readParams(new Cursor(value), params);
  return params;
}

/** Reads `name=value` pairs until something that is not one (the next challenge's scheme). */
function readParams(cursor: Cursor, params: Map<string, string>): void {
  for (;;) {
    cursor.match(SEPARATORS);
    const start = cursor.pos;
    const name = cursor.match(TOKEN);
    cursor.skipOws();
    if (name === null || cursor.peek() !== "=") {
      cursor.pos = start;
      return;
    }
    cursor.pos++;
    cursor.skipOws();
    const value = cursor.peek() === '"' ? cursor.quoted() : (cursor.match(BARE_VALUE) ?? "");
    const key = name.toLowerCase();
    if (!params.has(key)) params.set(key, value);
    cursor.skipOws();
    if (!cursor.done && cursor.peek() !== ",") cursor.skipElement();
  }
}
