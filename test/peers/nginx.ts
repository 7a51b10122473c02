/**
 * Debian nginx as a foreground, unprivileged-path peer: every file it touches (config, pid, temp
 * dirs, the static 1 MiB body) lives in a fresh temp dir that is removed when it stops.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { missingExecutables, reportMissing, startPeerProcess } from "./peer-process.ts";

const NGINX = "/usr/sbin/nginx";

/** Body of `GET /tiny`. */
export const NGINX_TINY_BODY = "hello, world\n";
/** Size of `GET /1m`. */
export const NGINX_ONE_MIB = 1024 * 1024;
/** Cookie sent by `GET /set-cookie`. */
export const NGINX_COOKIE = "peer=nginx; Path=/";

/** Options for {@link startNginx}. */
export interface NginxOptions {
  /** nginx worker processes. Default 1. */
  workerProcesses?: number;
  /** Extra directives placed inside the `server { }` block, for tests that need more routes. */
  extraServerConfig?: string;
}

/** A running nginx. */
export interface NginxPeer {
  /** Base URL without a trailing slash, e.g. "http://127.0.0.1:41234". */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The exact bytes `GET /1m` serves: a position-dependent pattern, so misplaced chunks show. */
export function oneMiBBody(): Buffer {
  const body = Buffer.allocUnsafe(NGINX_ONE_MIB);
  for (let i = 0; i < body.length; i++) body[i] = i % 251;
  return body;
}

/**
 * Starts nginx on a free loopback port serving `/tiny`, `/1m`, `/redirect` (302 to `/tiny`) and
 * `/set-cookie`. Returns null when nginx is not installed.
 */
export async function startNginx(options: NginxOptions = {}): Promise<NginxPeer | null> {
  if (missingExecutables([NGINX]).length > 0) {
    reportMissing(`${NGINX} (apt package nginx-light)`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), "niquests-nginx-"));
  mkdirSync(join(dir, "www"));
  writeFileSync(join(dir, "www", "1m.bin"), oneMiBBody());
  const confPath = join(dir, "nginx.conf");
  const peer = await startPeerProcess({
    name: "nginx",
    command: NGINX,
    args: (port) => {
      writeFileSync(confPath, nginxConfig(dir, port, options));
      // -e: the compiled-in error log would be used before our config is read.
      return ["-p", dir, "-c", confPath, "-e", "stderr", "-g", "daemon off;"];
    },
    cwd: dir,
    readiness: { kind: "http", path: "/tiny" },
    cleanupDir: dir,
  });
  return { url: `http://127.0.0.1:${peer.port}`, port: peer.port, stop: () => peer.stop() };
}

/**
 * The top of every nginx.conf the peers write: runs in the foreground-friendly layout of `dir`
 * (pid, temp dirs), logs errors to stderr, and opens the `http {` block for the caller to fill
 * and close. As root, workers would drop to www-data and could not read our 0700 temp dir.
 */
export function nginxPreamble(dir: string, workers = 1, workerConnections = 1024): string {
  const user = process.getuid?.() === 0 ? "user root;" : "";
  const temp = (kind: string): string => join(dir, `${kind}_temp`);
  return `
${user}
worker_processes ${workers};
pid ${join(dir, "nginx.pid")};
error_log stderr warn;
events { worker_connections ${workerConnections}; }
http {
  access_log off;
  client_body_temp_path ${temp("client_body")};
  proxy_temp_path ${temp("proxy")};
  fastcgi_temp_path ${temp("fastcgi")};
  uwsgi_temp_path ${temp("uwsgi")};
  scgi_temp_path ${temp("scgi")};`;
}

function nginxConfig(dir: string, port: number, options: NginxOptions): string {
  return `${nginxPreamble(dir, options.workerProcesses ?? 1)}
  default_type application/octet-stream;
  sendfile on;
  keepalive_requests 100000;
  keepalive_timeout 65;
  absolute_redirect off;
  server {
    listen 127.0.0.1:${port};
    server_name localhost;
    root ${join(dir, "www")};
    location = /tiny {
      default_type text/plain;
      return 200 "${NGINX_TINY_BODY.replace("\n", "\\n")}";
    }
    location = /1m {
      alias ${join(dir, "www", "1m.bin")};
    }
    location = /redirect {
      return 302 /tiny;
    }
    location = /set-cookie {
      default_type text/plain;
      add_header Set-Cookie "${NGINX_COOKIE}" always;
      return 200 "cookie set\\n";
    }
${options.extraServerConfig ?? ""}
  }
}
`;
}
