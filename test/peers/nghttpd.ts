/**
 * nghttpd (Debian nghttp2-server): an HTTP/2-only server, over TLS (ALPN h2 only) or as h2c with
 * prior knowledge (`--no-tls`). It echoes POST/PUT bodies (`--echo-upload`) and can add a
 * response trailer, so it covers bodies both ways, trailers and h2-only servers.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { missingExecutables, reportMissing, startPeerProcess } from "./peer-process.ts";
import type { TestPki } from "./pki.ts";

const NGHTTPD = "/usr/sbin/nghttpd";

/** Body of `GET /index.html`. */
export const NGHTTPD_INDEX = "hello from nghttpd\n";
/** The trailer field every response carries. */
export const NGHTTPD_TRAILER: [string, string] = ["x-niquests-trailer", "from-nghttpd"];

export interface NghttpdPeer {
  /** "https://localhost:PORT" over TLS, "http://127.0.0.1:PORT" for h2c. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts nghttpd over TLS with `pki`, or as h2c (prior knowledge) when `pki` is null. */
export async function startNghttpd(pki: TestPki | null): Promise<NghttpdPeer | null> {
  if (missingExecutables([NGHTTPD]).length > 0) {
    reportMissing(`${NGHTTPD} (apt package nghttp2-server)`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), "niquests-nghttpd-"));
  writeFileSync(join(dir, "index.html"), NGHTTPD_INDEX);
  const peer = await startPeerProcess({
    name: pki ? "nghttpd" : "nghttpd-h2c",
    command: NGHTTPD,
    args: (port) => [
      "-a",
      "127.0.0.1",
      "-d",
      dir,
      "--echo-upload",
      `--trailer=${NGHTTPD_TRAILER[0]}: ${NGHTTPD_TRAILER[1]}`,
      ...(pki ? [String(port), pki.leaf.keyPath, pki.leaf.certPath] : ["--no-tls", String(port)]),
    ],
    cwd: dir,
    readiness: { kind: "tcp" },
    cleanupDir: dir,
  });
  const url = pki ? `https://localhost:${peer.port}` : `http://127.0.0.1:${peer.port}`;
  return { url, port: peer.port, stop: () => peer.stop() };
}
