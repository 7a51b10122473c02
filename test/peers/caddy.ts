/**
 * Caddy (Debian caddy) serving HTTP/1.1 and HTTP/2 over TLS with the test PKI: admin API off,
 * its state in a temp dir (HOME and XDG_* point there), no trust-store changes, no HTTP/3.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, missingExecutables, reportMissing, startPeerProcess } from "./peer-process.ts";
import type { TestPki } from "./pki.ts";

const CADDY = "/usr/bin/caddy";

export const CADDY_TINY_BODY = "hello from caddy\n";
export const CADDY_COOKIE = "peer=caddy; Path=/";

export interface CaddyPeer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startCaddy(pki: TestPki): Promise<CaddyPeer | null> {
  if (missingExecutables([CADDY]).length > 0) {
    reportMissing(`${CADDY} (apt package caddy)`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), "niquests-caddy-"));
  const confPath = join(dir, "Caddyfile");
  // Never bound (no redirects, no http:// site), but it must not default to :80.
  const httpPort = await freePort();
  const peer = await startPeerProcess({
    name: "caddy",
    command: CADDY,
    args: (port) => {
      writeFileSync(confPath, caddyfile(dir, port, httpPort, pki));
      return ["run", "--config", confPath, "--adapter", "caddyfile"];
    },
    cwd: dir,
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: join(dir, "xdg"), XDG_CONFIG_HOME: join(dir, "xdg") },
    readiness: { kind: "tcp" },
    cleanupDir: dir,
  });
  return { url: `https://localhost:${peer.port}`, port: peer.port, stop: () => peer.stop() };
}

function caddyfile(dir: string, port: number, httpPort: number, pki: TestPki): string {
  return `{
	admin off
	http_port ${httpPort}
	https_port ${port}
	auto_https disable_redirects
	storage file_system ${join(dir, "data")}
	skip_install_trust
	servers {
		protocols h1 h2
	}
}
https://localhost:${port}, https://127.0.0.1:${port} {
	bind 127.0.0.1
	tls ${pki.leaf.certPath} ${pki.leaf.keyPath}
	header X-Peer caddy
	handle /tiny {
		respond \`${CADDY_TINY_BODY}\` 200
	}
	handle /method {
		respond "{http.request.method} {http.request.proto}" 200
	}
	handle /redirect {
		redir * /tiny 302
	}
	handle /set-cookie {
		header Set-Cookie "${CADDY_COOKIE}"
		respond "cookie set" 200
	}
	handle /cookie {
		respond "cookie={http.request.header.Cookie}" 200
	}
}
`;
}
