import assert from "node:assert/strict";
import { test } from "node:test";
import { ConnectionError, SSLError } from "../../src/errors/errors.ts";
import { mapError } from "../../src/transport/map-errors.ts";

function nodeError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

test("OpenSSL and Node TLS codes map to one stable SSLError code per failure class", () => {
  const cases: Array<[string, string]> = [
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "ERR_SSL_UNTRUSTED_ROOT"],
    ["SELF_SIGNED_CERT_IN_CHAIN", "ERR_SSL_UNTRUSTED_ROOT"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "ERR_SSL_UNTRUSTED_ROOT"],
    ["UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "ERR_SSL_UNTRUSTED_ROOT"],
    ["CERT_HAS_EXPIRED", "ERR_SSL_CERT_EXPIRED"],
    ["CERT_NOT_YET_VALID", "ERR_SSL_CERT_NOT_YET_VALID"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "ERR_SSL_HOSTNAME_MISMATCH"],
    ["ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED", "ERR_SSL_CLIENT_CERT_REQUIRED"],
    ["CERT_REVOKED", "ERR_SSL_CERT_INVALID"],
    ["INVALID_PURPOSE", "ERR_SSL_CERT_INVALID"],
    ["ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_HANDSHAKE"],
    ["ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", "ERR_SSL_HANDSHAKE"],
    ["ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION", "ERR_SSL_HANDSHAKE"],
  ];
  for (const [node, ours] of cases) {
    for (const phase of ["connect", "request"] as const) {
      const mapped = mapError(nodeError(node), phase);
      assert.ok(mapped instanceof SSLError, node);
      assert.ok(mapped instanceof ConnectionError, node);
      assert.equal(mapped.code, ours, node);
      assert.equal((mapped.cause as Error).message, node);
    }
  }
});

test("non-TLS failures stay plain ConnectionErrors", () => {
  const mapped = mapError(nodeError("ECONNREFUSED"), "connect");
  assert.ok(mapped instanceof ConnectionError);
  assert.ok(!(mapped instanceof SSLError));
});
