/**
 * Turns the TLS policy (`verify`, `cert`, `trustEnv`) and the Session's `tlsConfiguration` into
 * one cached secure context. Files are read and the context built once per distinct policy: a
 * context holding a few hundred roots costs milliseconds, far too much per connection.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import tls from "node:tls";
import { SSLError } from "../errors/errors.ts";

/** TLS settings that apply to every connection of a Session. */
export interface TlsConfiguration {
  /** Lowest TLS version offered, e.g. `"TLSv1.2"`. */
  minVersion?: tls.SecureVersion;
  /** Highest TLS version offered, e.g. `"TLSv1.3"`. */
  maxVersion?: tls.SecureVersion;
  /** OpenSSL cipher list for TLS 1.2 and below (and TLS 1.3 suites by their `TLS_` names). */
  ciphers?: string;
}

/** Per-request TLS policy, as the session layer hands it down. */
export interface TlsPolicyInput {
  /** true: system trust; false: no verification; a CA bundle path or PEM text; `sha256_<hex>` pin. */
  verify: boolean | string;
  cert: string | [string, string] | [string, string, string] | null;
  /** Honour `REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE`, `SSL_CERT_DIR` when `verify` is true. */
  trustEnv?: boolean;
}

/** Everything connect() needs for the TLS step. */
export interface TlsSettings {
  secureContext: tls.SecureContext;
  rejectUnauthorized: boolean;
  /** Upper-case hex SHA-256 of the one leaf accepted (certificate pinning), or null. */
  pinSha256: string | null;
  alpnProtocols: string[];
}

const VERSIONS = new Set(["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]);
const PIN = /^sha256_([0-9a-f:]+)$/i;
/** Where Debian, Fedora/RHEL, Alpine and the BSDs keep the OS trust bundle. */
const OS_BUNDLES = [
  "/etc/ssl/certs/ca-certificates.crt",
  "/etc/pki/tls/certs/ca-bundle.crt",
  "/etc/ssl/cert.pem",
  "/usr/local/share/certs/ca-root-nss.crt",
];

const cache = new Map<string, TlsSettings>();
let systemRoots: string[] | null = null;

/** Checks a `tlsConfiguration` option; a TypeError names what is wrong. */
export function checkTlsConfiguration(config: unknown): TlsConfiguration {
  if (config === undefined || config === null) return {};
  if (typeof config !== "object") throw new TypeError("tlsConfiguration must be an object");
  const out: TlsConfiguration = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === "minVersion" || key === "maxVersion") {
      if (!VERSIONS.has(String(value))) {
        throw new TypeError(`tlsConfiguration.${key} must be one of ${[...VERSIONS].join(", ")}`);
      }
      out[key] = value as tls.SecureVersion;
    } else if (key === "ciphers") {
      if (typeof value !== "string" || value === "")
        throw new TypeError("tlsConfiguration.ciphers must be a string");
      out.ciphers = value;
    } else {
      throw new TypeError(`Unknown tlsConfiguration option "${key}"`);
    }
  }
  return out;
}

/** The CA source `verify: true` stands for: an environment bundle when trusted, else the system. */
function effectiveVerify(policy: TlsPolicyInput): boolean | string {
  if (policy.verify !== true || policy.trustEnv === false) return policy.verify;
  const env = process.env;
  return env.REQUESTS_CA_BUNDLE || env.SSL_CERT_FILE || env.SSL_CERT_DIR || true;
}

/** A stable, short key: connections are pooled per origin AND per TLS policy. */
export function tlsPolicyKey(policy: TlsPolicyInput): string {
  const verify = effectiveVerify(policy);
  const v = verify === true ? "verify" : verify === false ? "no-verify" : `ca:${shorten(verify)}`;
  return policy.cert === null ? v : `${v} cert:${shorten(JSON.stringify(policy.cert))}`;
}

const digests = new Map<string, string>();

/** PEM text makes a poor map key: long values stand in as a digest (memoised). */
function shorten(value: string): string {
  if (value.length <= 120) return value;
  let digest = digests.get(value);
  if (digest === undefined) {
    digest = `#${createHash("sha256").update(value).digest("hex").slice(0, 16)}`;
    if (digests.size >= 64) digests.clear();
    digests.set(value, digest);
  }
  return digest;
}

/** Settings for one policy, built once and cached. `configKey` identifies `config`. */
export function resolveTlsSettings(
  policy: TlsPolicyInput,
  config: TlsConfiguration,
  configKey: string,
  alpnProtocols: string[],
): TlsSettings {
  const key = `${tlsPolicyKey(policy)}|${configKey}|${alpnProtocols.join(",")}`;
  let settings = cache.get(key);
  if (!settings) {
    settings = build(policy, config, alpnProtocols);
    if (cache.size >= 64) cache.delete(cache.keys().next().value as string);
    cache.set(key, settings);
  }
  return settings;
}

function build(policy: TlsPolicyInput, config: TlsConfiguration, alpnProtocols: string[]): TlsSettings {
  const verify = effectiveVerify(policy);
  const pin = typeof verify === "string" ? PIN.exec(verify) : null;
  const options: tls.SecureContextOptions = { ...config };
  if (verify === true) options.ca = systemCaCertificates();
  else if (typeof verify === "string" && !pin) options.ca = loadCa(verify);
  if (policy.cert !== null) {
    const [cert, key, passphrase] = typeof policy.cert === "string" ? [policy.cert] : policy.cert;
    options.cert = pemOrFile(cert);
    // A single file may hold both the certificate and its key.
    options.key = key === undefined ? options.cert : pemOrFile(key);
    if (passphrase !== undefined) options.passphrase = passphrase;
  }
  let secureContext: tls.SecureContext;
  try {
    secureContext = tls.createSecureContext(options);
  } catch (error) {
    throw new SSLError(`Invalid TLS settings: ${(error as Error).message}`, {
      cause: error,
      code: "ERR_SSL_CONFIG",
    });
  }
  return {
    secureContext,
    rejectUnauthorized: verify !== false && pin === null,
    pinSha256: pin ? pin[1]!.replaceAll(":", "").toUpperCase() : null,
    alpnProtocols,
  };
}

/**
 * Node's bundled roots, the operating system's bundle when there is one, and the file named by
 * `NODE_EXTRA_CA_CERTS` (an explicit `ca` would otherwise drop the extra certificates Node users
 * count on). Read once per process.
 */
export function systemCaCertificates(): string[] {
  if (systemRoots) return systemRoots;
  const roots = [...tls.rootCertificates];
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  if (extra) {
    try {
      roots.push(...splitPem(readFileSync(extra, "latin1")));
    } catch {
      // Node itself only warns about an unreadable file; so do we, by ignoring it.
    }
  }
  for (const path of OS_BUNDLES) {
    try {
      roots.push(...splitPem(readFileSync(path, "latin1")));
      break;
    } catch {
      // Not this OS's location.
    }
  }
  systemRoots = roots;
  return roots;
}

function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
}

function isPem(value: string): boolean {
  return value.includes("-----BEGIN ");
}

function pemOrFile(value: string): string {
  if (isPem(value)) return value;
  try {
    return readFileSync(value, "latin1");
  } catch (error) {
    throw new SSLError(`Cannot read certificate file ${value}`, { cause: error, code: "ERR_SSL_CONFIG" });
  }
}

/** A CA bundle: PEM text, a bundle file, or a directory of PEM files (c_rehash names too). */
function loadCa(value: string): string[] | string {
  if (isPem(value)) return value;
  try {
    if (statSync(value).isDirectory()) {
      return readdirSync(value)
        .filter((name) => /\.(pem|crt|cer)$|^[0-9a-f]{8}\.\d+$/i.test(name))
        .flatMap((name) => splitPem(readFileSync(join(value, name), "latin1")));
    }
    return readFileSync(value, "latin1");
  } catch (error) {
    throw new SSLError(`Cannot read CA bundle ${value}`, { cause: error, code: "ERR_SSL_CONFIG" });
  }
}
