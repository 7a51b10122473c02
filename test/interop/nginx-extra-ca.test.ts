/**
 * `verify: true` keeps honouring NODE_EXTRA_CA_CERTS, although it hands Node an explicit CA list
 * (which by itself would drop Node's extra certificates). Its own file: the system trust is read
 * once per process, so the variable must be set before the first TLS connection.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { Session, SSLError } from "../../src/index.ts";
import { type NginxTlsPeer, parseInfo, startNginxTls } from "../peers/nginx-tls.ts";
import { makeTestPki, type TestPki } from "../peers/pki.ts";
import { requirePeer } from "../peers/require-peer.ts";

const pki: TestPki | null = makeTestPki();
const nginx: NginxTlsPeer | null = pki ? await requirePeer("nginx", () => startNginxTls(pki)) : null;
const saved = process.env.NODE_EXTRA_CA_CERTS;
if (pki) process.env.NODE_EXTRA_CA_CERTS = pki.ca.certPath;
after(async () => {
  if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
  else process.env.NODE_EXTRA_CA_CERTS = saved;
  await nginx?.stop();
  pki?.remove();
});

describe("system trust and NODE_EXTRA_CA_CERTS", { skip: nginx ? false : "nginx not installed" }, () => {
  test("a CA named by NODE_EXTRA_CA_CERTS is trusted by verify: true, and only there", async () => {
    await using s = new Session({ trustEnv: false });
    const r = await s.get(`${nginx!.url("ec")}/info`);
    assert.equal(parseInfo(r.text ?? "").server, "ec");
    // An explicit bundle is exactly that bundle: the extra CA is not added to it.
    const error = await s.get(`${nginx!.url("ec")}/info`, { verify: pki!.clientCa.certPath }).catch((e) => e);
    assert.ok(error instanceof SSLError, String(error));
    assert.equal(error.code, "ERR_SSL_UNTRUSTED_ROOT");
  });
});
