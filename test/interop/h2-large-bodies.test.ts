/**
 * HTTP/2 flow control with 100 MiB each way against real servers: a download from nginx (a
 * file made at test time) and an upload echoed back by nghttpd, both read as streams. Byte
 * counts and SHA-256 are asserted, never the speed.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, describe, test } from "node:test";
import { Session } from "../../src/index.ts";
import { type NghttpdPeer, startNghttpd } from "../peers/nghttpd.ts";
import { type NginxH2Peer, startNginxH2 } from "../peers/nginx-h2.ts";
import { makeTestPki, type TestPki } from "../peers/pki.ts";
import { requirePeer } from "../peers/require-peer.ts";

const SIZE = 100 * 1024 * 1024;
const CHUNK = 1024 * 1024;

const pki: TestPki | null = await requirePeer("openssl", async () => makeTestPki());
const nginx: NginxH2Peer | null = pki
  ? await requirePeer("nginx", () => startNginxH2({ pki, bigFileBytes: SIZE }))
  : null;
const nghttpd: NghttpdPeer | null = pki ? await requirePeer("nghttpd", () => startNghttpd(pki)) : null;
after(async () => {
  await Promise.all([nginx?.stop(), nghttpd?.stop()]);
  pki?.remove();
});

/** The `i % 251` pattern, produced lazily in 1 MiB blocks; `digest()` once it was consumed. */
function patternUpload(): { chunks: AsyncGenerator<Uint8Array>; digest: () => string } {
  const hash = createHash("sha256");
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let offset = 0; offset < SIZE; offset += CHUNK) {
      const block = Buffer.allocUnsafe(Math.min(CHUNK, SIZE - offset));
      for (let i = 0; i < block.length; i++) block[i] = (offset + i) % 251;
      hash.update(block);
      yield block;
    }
  }
  return { chunks: chunks(), digest: () => hash.digest("hex") };
}

async function digestOf(
  body: AsyncIterable<Uint8Array | string>,
): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of body) {
    const piece = chunk as Uint8Array;
    hash.update(piece);
    bytes += piece.byteLength;
  }
  return { bytes, sha256: hash.digest("hex") };
}

describe("100 MiB over HTTP/2", () => {
  test("download from nginx", { skip: nginx ? false : "nginx not installed" }, async () => {
    await using s = new Session({ verify: pki!.ca.certPath, timeout: { connect: 10_000, read: 60_000 } });
    const r = await s.get(`${nginx!.url}/big`, { stream: true });
    assert.equal(r.httpVersion, 20);
    assert.equal(r.headers.get("content-length"), String(SIZE));
    const got = await digestOf(r.iterContent(64 * 1024));
    assert.equal(got.bytes, SIZE);
    assert.equal(got.sha256, nginx!.bigSha256);
  });

  test("upload to nghttpd, echoed back", { skip: nghttpd ? false : "nghttpd not installed" }, async () => {
    await using s = new Session({ verify: pki!.ca.certPath, timeout: { connect: 10_000, read: 60_000 } });
    const upload = patternUpload();
    let sent = 0;
    const r = await s.post(`${nghttpd!.url}/echo`, {
      data: upload.chunks,
      stream: true,
      hooks: {
        onUpload: [
          (p) => {
            sent = p.sent;
          },
        ],
      },
    });
    assert.equal(r.httpVersion, 20);
    const got = await digestOf(r.iterContent(64 * 1024));
    assert.equal(sent, SIZE);
    assert.equal(got.bytes, SIZE);
    assert.equal(got.sha256, upload.digest());
  });
});
