/**
 * TLS against Debian's nginx serving a PKI made at test time: verification modes, each failure
 * class by its code, client certificates, TLS versions and ciphers, and connInfo compared with
 * what nginx reports and with `openssl x509` on the PKI files.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { ConnectionError, Session, SSLError } from "../../src/index.ts";
import { type NginxTlsPeer, parseInfo, startNginxTls } from "../peers/nginx-tls.ts";
import { makeTestPki, opensslFacts, type TestPki } from "../peers/pki.ts";
import { requirePeer } from "../peers/require-peer.ts";
import { handles, settle } from "../support/open-handles.ts";

const pki: TestPki | null = makeTestPki();
const nginx: NginxTlsPeer | null = pki ? await requirePeer("nginx", () => startNginxTls(pki)) : null;
after(async () => {
  await nginx?.stop();
  pki?.remove();
});

function derOf(pem: string): Uint8Array {
  return new Uint8Array(new X509Certificate(pem).raw);
}

/** A request that must fail: the SSLError it failed with. */
async function sslFailure(
  s: Session,
  url: string,
  options: Parameters<Session["get"]>[1] = {},
): Promise<SSLError> {
  const error = await s.get(url, options).catch((e: unknown) => e);
  assert.ok(error instanceof SSLError, `expected an SSLError, got ${String(error)}`);
  assert.ok(error instanceof ConnectionError);
  return error;
}

describe("TLS against nginx", { skip: nginx ? false : "nginx not installed" }, () => {
  const ng = nginx!;
  const ca = pki!.ca;

  test("connInfo matches what nginx presented and what openssl says of the leaf", async () => {
    await using s = new Session({ verify: ca.certPath });
    const r = await s.get(`${ng.url("ec")}/info`);
    const seen = parseInfo(r.text ?? "");
    const info = r.connInfo!;
    assert.equal(r.statusCode, 200);
    assert.equal(seen.server, "ec");
    assert.equal(info.tlsVersion, seen.protocol);
    assert.equal(info.cipher, seen.cipher);
    assert.equal(info.httpVersion, 11);
    assert.deepEqual(info.destinationAddress, ["127.0.0.1", ng.ports.ec]);
    assert.equal(seen.server_port, String(ng.ports.ec));
    assert.deepEqual(info.certificateDer, derOf(pki!.leaf.cert));
    const facts = opensslFacts(pki!.leaf.certPath);
    const dict = info.certificateDict!;
    assert.equal(dict.serialNumber, facts.serial);
    assert.equal(dict.fingerprintSha256, facts.fingerprint256);
    assert.equal(`CN = ${dict.subject.find(([k]) => k === "commonName")?.[1]}`, facts.subject);
    assert.equal(`CN = ${dict.issuer.find(([k]) => k === "commonName")?.[1]}`, facts.issuer);
    assert.deepEqual(dict.subject, [["commonName", "localhost"]]);
    assert.equal(dict.notBefore, facts.notBefore);
    assert.equal(dict.notAfter, facts.notAfter);
    assert.equal(dict.validTo.getTime(), Date.parse(facts.notAfter));
    assert.deepEqual(dict.subjectAltName, [
      ["DNS", "localhost"],
      ["DNS", "test.example"],
      ["IP Address", "127.0.0.1"],
      ["IP Address", "0:0:0:0:0:0:0:1"],
    ]);
    // The leaf alone was served; Node completed the chain from the CA we trust.
    assert.deepEqual(info.issuerCertificateDer, derOf(ca.cert));
    for (const latency of [info.resolutionLatency, info.establishedLatency, info.tlsHandshakeLatency]) {
      assert.equal(typeof latency, "number");
      assert.ok((latency as number) >= 0);
    }
    assert.ok((info.tlsHandshakeLatency as number) > 0);
    assert.equal(typeof info.requestSentLatency, "number");
    assert.equal(info.reused, false);
  });

  test("a reused connection reports the original connect's latencies, flagged reused", async () => {
    await using s = new Session({ verify: ca.certPath });
    const first = await s.get(`${ng.url("ec")}/info`);
    const second = await s.get(`${ng.url("ec")}/info`);
    assert.equal(parseInfo(first.text ?? "").remote_port, parseInfo(second.text ?? "").remote_port);
    const [a, b] = [first.connInfo!, second.connInfo!];
    assert.equal(a.reused, false);
    assert.equal(b.reused, true);
    assert.equal(b.resolutionLatency, a.resolutionLatency);
    assert.equal(b.establishedLatency, a.establishedLatency);
    assert.equal(b.tlsHandshakeLatency, a.tlsHandshakeLatency);
    assert.deepEqual(b.certificateDer, a.certificateDer);
    assert.equal(b.tlsVersion, a.tlsVersion);
  });

  test("the issuer certificate nginx sends with the leaf is reported", async () => {
    await using s = new Session({ verify: ca.certPath });
    const r = await s.get(`${ng.url("chain")}/info`);
    assert.equal(parseInfo(r.text ?? "").server, "chain");
    assert.deepEqual(r.connInfo?.issuerCertificateDer, derOf(ca.cert));
    assert.deepEqual(r.connInfo?.certificateDer, derOf(pki!.leaf.cert));
  });

  test("an intermediate sent by the server is the reported issuer; without it the chain is untrusted", async () => {
    await using s = new Session({ verify: ca.certPath });
    const r = await s.get(`${ng.url("intermediate")}/info`);
    assert.equal(parseInfo(r.text ?? "").server, "intermediate");
    assert.deepEqual(r.connInfo?.certificateDer, derOf(pki!.intermediateLeaf.cert));
    assert.deepEqual(r.connInfo?.issuerCertificateDer, derOf(pki!.intermediate.cert));
    assert.deepEqual(r.connInfo?.certificateDict?.issuer, [["commonName", "niquests Intermediate CA"]]);
    assert.equal(
      r.connInfo?.certificateDict?.serialNumber,
      opensslFacts(pki!.intermediateLeaf.certPath).serial,
    );
    // The same leaf served alone cannot be chained to the root we trust.
    const error = await sslFailure(s, `${ng.url("intermediateAlone")}/info`);
    assert.equal(error.code, "ERR_SSL_UNTRUSTED_ROOT");
  });

  test("the RSA leaf", async () => {
    await using s = new Session({ verify: ca.certPath });
    const r = await s.get(`${ng.url("rsa")}/info`);
    assert.equal(parseInfo(r.text ?? "").server, "rsa");
    const facts = opensslFacts(pki!.rsaLeaf.certPath);
    assert.equal(r.connInfo?.certificateDict?.fingerprintSha256, facts.fingerprint256);
    assert.equal(r.connInfo?.certificateDict?.serialNumber, facts.serial);
  });

  test("SNI names the host for a hostname and is absent for IP literals; ALPN offers http/1.1", async () => {
    await using s = new Session({ verify: ca.certPath });
    const byName = parseInfo((await s.get(`${ng.url("ec")}/info`)).text ?? "");
    assert.equal(byName.sni, "localhost");
    assert.equal(byName.alpn, "http/1.1");
    const byIp = parseInfo((await s.get(`${ng.url("ec", "127.0.0.1")}/info`)).text ?? "");
    assert.equal(byIp.sni, "");
    assert.equal(byIp.alpn, "http/1.1");
    const byIpv6 = await s.get(`${ng.url("ec", "::1")}/info`);
    assert.equal(parseInfo(byIpv6.text ?? "").sni, "");
    assert.deepEqual(byIpv6.connInfo?.destinationAddress, ["::1", ng.ports.ec]);
  });

  test("verify: PEM text in memory, a CA directory, and false", async () => {
    const dir = join(pki!.dir, "ca-dir");
    mkdirSync(dir, { recursive: true });
    copyFileSync(ca.certPath, join(dir, "test-ca.pem"));
    await using s = new Session();
    assert.equal((await s.get(`${ng.url("ec")}/info`, { verify: ca.cert })).statusCode, 200);
    assert.equal((await s.get(`${ng.url("ec")}/info`, { verify: dir })).statusCode, 200);
    // false accepts even a certificate for another host from an unknown CA.
    assert.equal((await s.get(`${ng.url("wrongHost")}/info`, { verify: false })).statusCode, 200);
  });

  test("verify: true uses the system trust, which does not know the test CA", async () => {
    await using s = new Session({ trustEnv: false });
    const error = await sslFailure(s, `${ng.url("ec")}/info`);
    assert.equal(error.code, "ERR_SSL_UNTRUSTED_ROOT");
  });

  test("with trustEnv, REQUESTS_CA_BUNDLE / SSL_CERT_FILE / SSL_CERT_DIR replace the system trust", async () => {
    const dir = join(pki!.dir, "env-ca-dir");
    mkdirSync(dir, { recursive: true });
    copyFileSync(ca.certPath, join(dir, "test-ca.pem"));
    const names = ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"] as const;
    const saved = names.map((name) => process.env[name]);
    try {
      for (const name of names) {
        for (const other of names) delete process.env[other];
        process.env[name] = name === "SSL_CERT_DIR" ? dir : ca.certPath;
        await using s = new Session();
        assert.equal((await s.get(`${ng.url("ec")}/info`)).statusCode, 200, name);
        await using ignoring = new Session({ trustEnv: false });
        assert.equal((await sslFailure(ignoring, `${ng.url("ec")}/info`)).code, "ERR_SSL_UNTRUSTED_ROOT");
      }
    } finally {
      names.forEach((name, i) => {
        const value = saved[i];
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      });
    }
  });

  test("each certificate failure has its own code, and leaves nothing open", async () => {
    await using s = new Session({ verify: ca.certPath });
    await settle();
    const before = handles();
    assert.equal((await sslFailure(s, `${ng.url("expired")}/info`)).code, "ERR_SSL_CERT_EXPIRED");
    assert.equal((await sslFailure(s, `${ng.url("notYetValid")}/info`)).code, "ERR_SSL_CERT_NOT_YET_VALID");
    assert.equal((await sslFailure(s, `${ng.url("wrongHost")}/info`)).code, "ERR_SSL_HOSTNAME_MISMATCH");
    // An IP the certificate does not name is a hostname mismatch too.
    const wrongIp = await sslFailure(s, `https://127.0.0.2:${ng.ports.ec}/info`);
    assert.equal(wrongIp.code, "ERR_SSL_HOSTNAME_MISMATCH");
    const untrusted = await sslFailure(s, `${ng.url("ec")}/info`, { verify: pki!.clientCa.certPath });
    assert.equal(untrusted.code, "ERR_SSL_UNTRUSTED_ROOT");
    // TLS to a plain HTTP port.
    const plain = await sslFailure(s, `${ng.httpUrl.replace("http:", "https:")}/info`);
    assert.equal(plain.code, "ERR_SSL_HANDSHAKE");
    await settle();
    assert.deepEqual(handles(), before);
  });

  test("certificate pinning accepts exactly the pinned leaf", async () => {
    const fingerprint = opensslFacts(pki!.leaf.certPath).fingerprint256;
    await using s = new Session();
    // Pinned: accepted without any CA (the test CA is unknown to the system trust).
    const r = await s.get(`${ng.url("ec")}/info`, {
      verify: `sha256_${fingerprint.replaceAll(":", "").toLowerCase()}`,
    });
    assert.equal(r.statusCode, 200);
    assert.equal((await s.get(`${ng.url("ec")}/info`, { verify: `sha256_${fingerprint}` })).statusCode, 200);
    await settle();
    const before = handles();
    // The RSA leaf is signed by the same CA and names the same hosts, yet it is not the pin.
    const error = await sslFailure(s, `${ng.url("rsa")}/info`, { verify: `sha256_${fingerprint}` });
    assert.equal(error.code, "ERR_SSL_PIN_MISMATCH");
    await settle();
    assert.deepEqual(handles(), before);
  });

  test("tlsConfiguration: maxVersion, minVersion and ciphers reach the handshake", async () => {
    await using tls12 = new Session({ verify: ca.certPath, tlsConfiguration: { maxVersion: "TLSv1.2" } });
    const r = await tls12.get(`${ng.url("ec")}/info`);
    assert.equal(parseInfo(r.text ?? "").protocol, "TLSv1.2");
    assert.equal(r.connInfo?.tlsVersion, "TLSv1.2");

    await using cipher = new Session({
      verify: ca.certPath,
      tlsConfiguration: { maxVersion: "TLSv1.2", ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256" },
    });
    const c = await cipher.get(`${ng.url("tls12")}/info`);
    assert.equal(parseInfo(c.text ?? "").cipher, "ECDHE-ECDSA-AES128-GCM-SHA256");
    assert.equal(c.connInfo?.cipher, "ECDHE-ECDSA-AES128-GCM-SHA256");

    await using tls13 = new Session({ verify: ca.certPath, tlsConfiguration: { minVersion: "TLSv1.3" } });
    assert.equal((await sslFailure(tls13, `${ng.url("tls12")}/info`)).code, "ERR_SSL_HANDSHAKE");
    await using noCommon = new Session({
      verify: ca.certPath,
      tlsConfiguration: { maxVersion: "TLSv1.2", ciphers: "ECDHE-ECDSA-CHACHA20-POLY1305" },
    });
    assert.equal((await sslFailure(noCommon, `${ng.url("tls12")}/info`)).code, "ERR_SSL_HANDSHAKE");
  });

  test("a bad tlsConfiguration is a TypeError at construction", () => {
    assert.throws(() => new Session({ tlsConfiguration: { minVersion: "SSLv3" as "TLSv1" } }), TypeError);
    assert.throws(
      () => new Session({ tlsConfiguration: { sigalgs: "x" } as never }),
      /Unknown tlsConfiguration/,
    );
  });

  test("client certificates: paths, in-memory PEM, an encrypted key, one combined file", async () => {
    const client = pki!.client;
    const combined = join(pki!.dir, "client-combined.pem");
    writeFileSync(combined, client.cert + client.key);
    const forms: Array<NonNullable<Parameters<Session["get"]>[1]>["cert"]> = [
      [client.certPath, client.keyPath],
      [client.cert, client.key],
      [client.certPath, pki!.clientEncryptedKeyPath, pki!.clientKeyPassword],
      [client.cert, pki!.clientEncryptedKey, pki!.clientKeyPassword],
      combined,
    ];
    await using s = new Session({ verify: ca.certPath });
    for (const cert of forms) {
      const r = await s.get(`${ng.url("mtls")}/info`, { cert: cert ?? null });
      const seen = parseInfo(r.text ?? "");
      assert.equal(r.statusCode, 200, JSON.stringify(cert).slice(0, 80));
      assert.equal(seen.client_verify, "SUCCESS");
      assert.equal(seen.client_dn, "CN=niquests-client");
    }
    // nginx answers a missing client certificate with its own 400 page, not a TLS alert.
    const without = await s.get(`${ng.url("mtls")}/info`);
    assert.equal(without.statusCode, 400);
    assert.match(without.text ?? "", /No required SSL certificate was sent/);
  });

  test("a wrong key password or an unreadable file is an SSLError ERR_SSL_CONFIG", async () => {
    await using s = new Session({ verify: ca.certPath });
    const wrong = await sslFailure(s, `${ng.url("mtls")}/info`, {
      cert: [pki!.client.certPath, pki!.clientEncryptedKeyPath, "not-the-password"],
    });
    assert.equal(wrong.code, "ERR_SSL_CONFIG");
    const missing = await sslFailure(s, `${ng.url("ec")}/info`, { verify: join(pki!.dir, "nope.pem") });
    assert.equal(missing.code, "ERR_SSL_CONFIG");
  });
});
