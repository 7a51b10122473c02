/**
 * Debian nginx serving HTTP/2 (and HTTP/1.1) over TLS with the test PKI, for h2 interop and the
 * h2 benchmark. Everything it touches lives in a fresh temp dir removed when it stops.
 */
import { createHash } from "node:crypto";
import { closeSync, mkdirSync, mkdtempSync, openSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nginxPreamble } from "./nginx.ts";
import { missingExecutables, reportMissing, startPeerProcess } from "./peer-process.ts";
import type { TestPki } from "./pki.ts";

const NGINX = "/usr/sbin/nginx";

export const NGINX_H2_TINY_BODY = "hello, world\n";
export const NGINX_H2_COOKIE = "peer=nginx-h2; Path=/";

export interface NginxH2Options {
  pki: TestPki;
  /** Also serve `GET /big`: this many bytes of a position-dependent pattern, made at start. */
  bigFileBytes?: number;
  workerProcesses?: number;
  /** http2_max_concurrent_streams (nginx default 128). */
  maxConcurrentStreams?: number;
}

export interface NginxH2Peer {
  /** e.g. "https://localhost:41234" (the PKI leaf names localhost). */
  url: string;
  port: number;
  /** sha256 hex of `/big`, when served. */
  bigSha256: string | null;
  stop(): Promise<void>;
}

/** Writes `size` bytes of `i % 251` in 1 MiB blocks and returns their sha256. */
function writePattern(path: string, size: number): string {
  const block = Buffer.allocUnsafe(1024 * 1024);
  const hash = createHash("sha256");
  const fd = openSync(path, "w");
  try {
    for (let offset = 0; offset < size; offset += block.length) {
      const length = Math.min(block.length, size - offset);
      for (let i = 0; i < length; i++) block[i] = (offset + i) % 251;
      const piece = block.subarray(0, length);
      writeSync(fd, piece);
      hash.update(piece);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

export async function startNginxH2(options: NginxH2Options): Promise<NginxH2Peer | null> {
  if (missingExecutables([NGINX]).length > 0) {
    reportMissing(`${NGINX} (apt package nginx-light)`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), "niquests-nginx-h2-"));
  mkdirSync(join(dir, "www"));
  writeFileSync(join(dir, "www", "trailer.txt"), NGINX_H2_TINY_BODY);
  writeFileSync(join(dir, "www", "gzip.txt"), NGINX_H2_TINY_BODY.repeat(100));
  const bigSha256 =
    options.bigFileBytes === undefined
      ? null
      : writePattern(join(dir, "www", "big.bin"), options.bigFileBytes);
  const confPath = join(dir, "nginx.conf");
  const peer = await startPeerProcess({
    name: "nginx-h2",
    command: NGINX,
    args: (port) => {
      writeFileSync(confPath, config(dir, port, options));
      return ["-p", dir, "-c", confPath, "-e", "stderr", "-g", "daemon off;"];
    },
    cwd: dir,
    readiness: { kind: "tcp" },
    cleanupDir: dir,
  });
  return { url: `https://localhost:${peer.port}`, port: peer.port, bigSha256, stop: () => peer.stop() };
}

function config(dir: string, port: number, options: NginxH2Options): string {
  return `${nginxPreamble(dir, options.workerProcesses ?? 1)}
  default_type application/octet-stream;
  sendfile on;
  keepalive_requests 100000;
  keepalive_timeout 65;
  http2_max_requests 1000000;
  http2_max_concurrent_streams ${options.maxConcurrentStreams ?? 128};
  absolute_redirect off;
  client_max_body_size 0;
  server {
    listen 127.0.0.1:${port} ssl http2;
    server_name localhost;
    ssl_certificate ${options.pki.leaf.certPath};
    ssl_certificate_key ${options.pki.leaf.keyPath};
    ssl_protocols TLSv1.2 TLSv1.3;
    root ${join(dir, "www")};
    location = /tiny {
      default_type text/plain;
      return 200 "${NGINX_H2_TINY_BODY.replace("\n", "\\n")}";
    }
    location = /big {
      alias ${join(dir, "www", "big.bin")};
    }
    location = /gzip.txt {
      gzip on;
      gzip_min_length 0;
      gzip_types text/plain;
      default_type text/plain;
    }
    location = /trailer.txt {
      add_trailer X-Peer-Trailer "nginx-h2";
    }
    location = /method {
      default_type text/plain;
      return 200 "$request_method $server_protocol\\n";
    }
    location = /redirect {
      return 302 /tiny;
    }
    location = /set-cookie {
      default_type text/plain;
      add_header Set-Cookie "${NGINX_H2_COOKIE}" always;
      return 200 "cookie set\\n";
    }
    location = /cookie {
      default_type text/plain;
      return 200 "cookie=$http_cookie\\n";
    }
  }
}
`;
}
