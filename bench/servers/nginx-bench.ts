/**
 * The nginx every scenario but the delayed one runs against: config from nginx-bench.conf, a
 * throw-away PKI from the test harness for the TLS port, static 1 MiB and 100 MiB files, all in a
 * temp dir removed on stop.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { missingExecutables, startPeerProcess } from "../../test/peers/peer-process.ts";
import { makeTestPki } from "../../test/peers/pki.ts";

const NGINX = "/usr/sbin/nginx";
const CONF_TEMPLATE = new URL("nginx-bench.conf", import.meta.url);

/** Body of `/tiny`. */
export const TINY_BODY = "hello, world\n";
export const ONE_MIB = 1024 * 1024;
export const HUNDRED_MIB = 100 * ONE_MIB;

export interface BenchNginx {
  /** `http://127.0.0.1:PORT`: HTTP/1.1. */
  h1Url: string;
  /** `https://127.0.0.1:PORT`: h2 and http/1.1 by ALPN (the test certificate names 127.0.0.1). */
  tlsUrl: string;
  tlsPort: number;
  /** PEM file of the CA that signed the TLS certificate. */
  caPath: string;
  stop(): Promise<void>;
}

/** A file of `size` bytes in a position-dependent pattern, written 1 MiB at a time. */
function writePatternFile(path: string, size: number): void {
  const block = Buffer.allocUnsafe(ONE_MIB);
  for (let i = 0; i < block.length; i++) block[i] = i % 251;
  const fd = openSync(path, "w");
  try {
    for (let written = 0; written < size; written += block.length)
      writeSync(fd, block, 0, Math.min(block.length, size - written));
  } finally {
    closeSync(fd);
  }
}

export async function startBenchNginx(): Promise<BenchNginx> {
  if (missingExecutables([NGINX]).length > 0) {
    throw new Error(`${NGINX} is missing: run \`bash scripts/install-peers.sh\``);
  }
  const pki = makeTestPki();
  if (pki === null) throw new Error("openssl is missing: run `bash scripts/install-peers.sh`");
  const dir = mkdtempSync(join(tmpdir(), "niquests-bench-nginx-"));
  mkdirSync(join(dir, "www"));
  writePatternFile(join(dir, "www", "1m.bin"), ONE_MIB);
  writePatternFile(join(dir, "www", "100m.bin"), HUNDRED_MIB);
  const template = readFileSync(CONF_TEMPLATE, "utf8");
  const confPath = join(dir, "nginx.conf");
  let tlsPort = 0;
  try {
    const peer = await startPeerProcess({
      name: "nginx",
      command: NGINX,
      args: (port) => {
        // The TLS port is probed here too; a clash makes nginx fail and the harness retry both.
        tlsPort = port + 1 < 65536 ? port + 1 : port - 1;
        const conf = template
          // As root, workers would drop to nobody and could not read the 0700 temp dir.
          .replaceAll("@USER@", process.getuid?.() === 0 ? "user root;" : "")
          .replaceAll("@DIR@", dir)
          .replaceAll("@H1_PORT@", String(port))
          .replaceAll("@TLS_PORT@", String(tlsPort))
          .replaceAll("@CERT@", pki.leaf.certPath)
          .replaceAll("@KEY@", pki.leaf.keyPath);
        writeFileSync(confPath, conf);
        return ["-p", dir, "-c", confPath, "-e", "stderr", "-g", "daemon off;"];
      },
      cwd: dir,
      readiness: { kind: "http", path: "/tiny" },
      cleanupDir: dir,
    });
    return {
      h1Url: `http://127.0.0.1:${peer.port}`,
      tlsUrl: `https://127.0.0.1:${tlsPort}`,
      tlsPort,
      caPath: pki.ca.certPath,
      async stop() {
        await peer.stop();
        pki.remove();
      },
    };
  } catch (error) {
    pki.remove();
    throw error;
  }
}
