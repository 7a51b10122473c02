/** Shared helpers of the digest unit tests: requests, 401 responses, and an independent digest. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { parseChallenges } from "../../src/auth/digest-auth.ts";
import { PreparedRequest } from "../../src/models/prepared-request.ts";
import { Response } from "../../src/models/response.ts";

export function request(url: string, method = "GET", body: PreparedRequest["body"] = null): PreparedRequest {
  const r = new PreparedRequest();
  r.method = method;
  r.setUrl(new URL(url));
  r.body = body;
  return r;
}

export function unauthorized(req: PreparedRequest, ...challenges: string[]): Response {
  return new Response({
    statusCode: 401,
    headers: challenges.map((c): [string, string] => ["WWW-Authenticate", c]),
    request: req,
    url: req.url,
  });
}

export function ok(req: PreparedRequest, headers: Array<[string, string]> = []): Response {
  return new Response({ statusCode: 200, headers, request: req, url: req.url });
}

/** The Authorization params of a request, parsed back. */
export function credentials(req: PreparedRequest): Map<string, string> {
  const header = req.headers.get("Authorization");
  assert.ok(header, "an Authorization header is set");
  const [challenge] = parseChallenges(header);
  assert.equal(challenge?.scheme, "Digest");
  return challenge.params;
}

/** An independent RFC 7616 computation to check answers against. */
export function expected(o: {
  hash: string;
  user: string;
  password: string;
  realm: string;
  method: string;
  uri: string;
  nonce: string;
  nc?: string;
  cnonce?: string;
  qop?: "auth" | "auth-int";
  sess?: boolean;
  body?: Uint8Array;
}): string {
  const h = (s: string | Uint8Array) => createHash(o.hash).update(s).digest("hex");
  let ha1 = h(`${o.user}:${o.realm}:${o.password}`);
  if (o.sess) ha1 = h(`${ha1}:${o.nonce}:${o.cnonce}`);
  const ha2 =
    o.qop === "auth-int"
      ? h(`${o.method}:${o.uri}:${h(o.body ?? new Uint8Array())}`)
      : h(`${o.method}:${o.uri}`);
  return o.qop ? h(`${ha1}:${o.nonce}:${o.nc}:${o.cnonce}:${o.qop}:${ha2}`) : h(`${ha1}:${o.nonce}:${ha2}`);
}

let counter = 0;
export const fixedCnonce = (value: string) => () => value;
export const countingCnonce = () => `cn${++counter}`;
