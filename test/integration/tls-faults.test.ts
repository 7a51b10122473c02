/**
 * TLS faults that need a scripted server: a TLS 1.3 server that demands a client certificate
 * (alert 116 arrives after the client's handshake is done), and a listener that accepts TCP but
 * never answers the ClientHello. Each checked for leaks.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { after, describe, test } from "node:test";
import tls from "node:tls";
import { ConnectionError, ConnectTimeout, Session, SSLError } from "../../src/index.ts";
import { makeTestPki, type TestPki } from "../peers/pki.ts";
import { requirePeer } from "../peers/require-peer.ts";
import { handles, settle } from "../support/open-handles.ts";

const pki: TestPki | null = await requirePeer("openssl", async () => makeTestPki());
after(() => pki?.remove());

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

describe("TLS faults", { skip: pki ? false : "openssl not installed" }, () => {
  test("a server requiring a client certificate: ERR_SSL_CLIENT_CERT_REQUIRED, then success with one", async () => {
    const server = tls.createServer(
      {
        cert: pki!.leaf.cert,
        key: pki!.leaf.key,
        requestCert: true,
        rejectUnauthorized: true,
        ca: pki!.clientCa.cert,
        minVersion: "TLSv1.3",
      },
      (socket) => {
        socket.on("error", () => {});
        socket.once("data", () => {
          const name = socket.getPeerCertificate().subject?.CN ?? "";
          socket.end(`HTTP/1.1 200 OK\r\nContent-Length: ${name.length}\r\nConnection: close\r\n\r\n${name}`);
        });
      },
    );
    server.on("tlsClientError", () => {});
    const port = await listen(server);
    try {
      const s = new Session({ verify: pki!.ca.certPath, retries: false });
      await settle();
      const before = handles();
      const error = await s.get(`https://localhost:${port}/`).catch((e: unknown) => e);
      assert.ok(error instanceof SSLError, String(error));
      assert.ok(error instanceof ConnectionError);
      assert.equal(error.code, "ERR_SSL_CLIENT_CERT_REQUIRED");
      await settle();
      assert.deepEqual(handles(), before);
      const r = await s.get(`https://localhost:${port}/`, {
        cert: [pki!.client.certPath, pki!.client.keyPath],
      });
      assert.equal(r.text, "niquests-client");
      await s.close();
    } finally {
      server.close();
    }
  });

  test("a listener that never answers the ClientHello hits the connect timeout, leaving nothing", async () => {
    const held: net.Socket[] = [];
    const server = net.createServer((socket) => {
      held.push(socket);
      socket.on("error", () => {});
    });
    const port = await listen(server);
    try {
      const s = new Session({ verify: pki!.ca.certPath, retries: false });
      await settle();
      const before = handles();
      const error = await s
        .get(`https://localhost:${port}/`, { timeout: { connect: 300, read: 5000 } })
        .catch((e: unknown) => e);
      assert.ok(error instanceof ConnectTimeout, String(error));
      await settle();
      // The server's side of the dead connection is ours to count too: drop it first.
      for (const socket of held) socket.destroy();
      await settle();
      assert.deepEqual(handles(), before);
      await s.close();
    } finally {
      server.close();
    }
  });
});
