import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { applyAuth, BearerTokenAuth, HTTPBasicAuth, toAuth } from "../../src/auth/auth-base.ts";
import { PreparedRequest } from "../../src/models/prepared-request.ts";

async function authorization(auth: Parameters<typeof toAuth>[0]): Promise<string | null> {
  const request = new PreparedRequest();
  request.setUrl(new URL("http://h.test/"));
  return (await applyAuth(toAuth(auth), request)).headers.get("Authorization");
}

describe("Bearer tokens", () => {
  test("BearerTokenAuth and a plain string both send Authorization: Bearer <token>", async () => {
    assert.equal(await authorization(new BearerTokenAuth("abc.def")), "Bearer abc.def");
    assert.equal(await authorization("abc.def"), "Bearer abc.def");
    assert.equal(new BearerTokenAuth("t").token, "t");
  });

  test("a token with a space is a complete scheme + credentials value, sent as is", async () => {
    assert.equal(await authorization(new BearerTokenAuth("Token xyz")), "Token xyz");
    assert.equal(await authorization("Token xyz"), "Token xyz");
  });

  test("an empty token is refused; pairs still mean Basic", async () => {
    assert.throws(() => new BearerTokenAuth(""), TypeError);
    assert.throws(() => toAuth(""), TypeError);
    assert.ok(toAuth(["u", "p"]) instanceof HTTPBasicAuth);
    assert.equal(await authorization(["u", "p"]), `Basic ${Buffer.from("u:p").toString("base64")}`);
  });
});
