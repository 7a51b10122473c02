/**
 * Debian nginx serving the test PKI: one HTTPS port per server leaf (P-256, RSA, expired,
 * not-yet-valid, wrong host, leaf + CA chain, intermediate-signed leaf with and without its
 * intermediate), one port that requires a client certificate, a
 * TLS 1.2-only port, a plain HTTP port (readiness) that also listens on a Unix socket. Every
 * server answers `GET /info` with what nginx saw of the connection, as `key=value` lines.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nginxPreamble } from "./nginx.ts";
import { freePort, missingExecutables, reportMissing, startPeerProcess } from "./peer-process.ts";
import type { CertFiles, TestPki } from "./pki.ts";

const NGINX = "/usr/sbin/nginx";

/** Size of `GET /big` on every server: large enough to stay in flight while unread. */
export const BIG_BODY_BYTES = 8 * 1024 * 1024;

/** The HTTPS servers, by the certificate they present. */
export const TLS_SERVERS = [
  "ec",
  "rsa",
  "chain",
  "intermediate",
  "intermediateAlone",
  "expired",
  "notYetValid",
  "wrongHost",
  "mtls",
  "tls12",
] as const;
export type TlsServerName = (typeof TLS_SERVERS)[number];

export interface NginxTlsPeer {
  /** Plain HTTP base URL (the readiness port), e.g. "http://127.0.0.1:41234". */
  httpUrl: string;
  /** The Unix socket the plain server also listens on. */
  socketPath: string;
  /** HTTPS ports by server; every one listens on 127.0.0.1 and [::1], `ec` on 127.0.0.2 too. */
  ports: Record<TlsServerName, number>;
  /** `https://localhost:<port>` for a server. */
  url(name: TlsServerName, host?: string): string;
  stop(): Promise<void>;
}

/** Parses the `key=value` lines of `GET /info`. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

const INFO = [
  "protocol=$ssl_protocol",
  "cipher=$ssl_cipher",
  "sni=$ssl_server_name",
  "alpn=$ssl_alpn_protocol",
  "remote_addr=$remote_addr",
  "remote_port=$remote_port",
  "server_port=$server_port",
  "client_dn=$ssl_client_s_dn",
  "client_verify=$ssl_client_verify",
  "host=$host",
  "uri=$request_uri",
].join("\\n");

export async function startNginxTls(pki: TestPki): Promise<NginxTlsPeer | null> {
  if (missingExecutables([NGINX]).length > 0) {
    reportMissing(`${NGINX} (apt package nginx-light)`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), "niquests-nginx-tls-"));
  const confPath = join(dir, "nginx.conf");
  const socketPath = join(dir, "nginx.sock");
  // leaf + CA in one file: nginx then sends the issuer along with the leaf.
  const chainPath = join(dir, "chain.pem");
  writeFileSync(join(dir, "big.bin"), Buffer.alloc(BIG_BODY_BYTES, 0x61));
  writeFileSync(chainPath, pki.leaf.cert + pki.ca.cert);
  const intermediateChainPath = join(dir, "intermediate-chain.pem");
  writeFileSync(intermediateChainPath, pki.intermediateLeaf.cert + pki.intermediate.cert);
  const ports = {} as Record<TlsServerName, number>;
  for (const name of TLS_SERVERS) ports[name] = await freePort();
  const peer = await startPeerProcess({
    name: "nginx-tls",
    command: NGINX,
    args: (port) => {
      writeFileSync(confPath, config(dir, port, socketPath, pki, [chainPath, intermediateChainPath], ports));
      return ["-p", dir, "-c", confPath, "-e", "stderr", "-g", "daemon off;"];
    },
    cwd: dir,
    readiness: { kind: "http", path: "/info" },
    cleanupDir: dir,
  });
  return {
    httpUrl: `http://127.0.0.1:${peer.port}`,
    socketPath,
    ports,
    url: (name, host = "localhost") => `https://${host.includes(":") ? `[${host}]` : host}:${ports[name]}`,
    stop: () => peer.stop(),
  };
}

function config(
  dir: string,
  port: number,
  socketPath: string,
  pki: TestPki,
  [chainPath, intermediateChainPath]: [string, string],
  ports: Record<TlsServerName, number>,
): string {
  const certs: Record<TlsServerName, CertFiles> = {
    ec: pki.leaf,
    rsa: pki.rsaLeaf,
    chain: { ...pki.leaf, certPath: chainPath },
    intermediate: { ...pki.intermediateLeaf, certPath: intermediateChainPath },
    intermediateAlone: pki.intermediateLeaf,
    expired: pki.expired,
    notYetValid: pki.notYetValid,
    wrongHost: pki.wrongHost,
    mtls: pki.leaf,
    tls12: pki.leaf,
  };
  const servers = TLS_SERVERS.map((name) => {
    const p = ports[name];
    const files = certs[name];
    const extra =
      name === "mtls"
        ? `ssl_verify_client on; ssl_client_certificate ${pki.clientCa.certPath};`
        : name === "tls12"
          ? "ssl_protocols TLSv1.2; ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384;"
          : "ssl_protocols TLSv1.2 TLSv1.3;";
    return `
  server {
    listen 127.0.0.1:${p} ssl;
    listen [::1]:${p} ssl;${name === "ec" ? `\n    listen 127.0.0.2:${p} ssl;` : ""}
    server_name localhost;
    ssl_certificate ${files.certPath};
    ssl_certificate_key ${files.keyPath};
    ${extra}
    location / { default_type text/plain; return 200 "server=${name}\\n${INFO}\\n"; }
    location = /big { alias ${join(dir, "big.bin")}; }
  }`;
  }).join("\n");
  return `${nginxPreamble(dir, 1, 256)}
  keepalive_timeout 65;
  server {
    listen 127.0.0.1:${port};
    listen unix:${socketPath};
    server_name localhost;
    location / { default_type text/plain; return 200 "server=plain\\n${INFO}\\n"; }
  }
${servers}
}
`;
}
