/**
 * Turns the user-facing TLS policy (`verify`, `cert`) into socket options, reading files once
 * and caching the result: the same policy object must not cost a file read per request.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { SSLError } from "../errors/errors.ts";
import type { TlsSettings } from "../net/connect.ts";
import type { TlsPolicy } from "./transport.ts";

const cache = new Map<string, TlsSettings>();

/** A stable key for a policy: connections are pooled per origin AND per TLS policy. */
export function tlsPolicyKey(policy: TlsPolicy): string {
  const verify = policy.verify === true ? "v" : policy.verify === false ? "nv" : `ca:${policy.verify}`;
  return policy.cert === null ? verify : `${verify}|cert:${JSON.stringify(policy.cert)}`;
}

export function resolveTlsSettings(policy: TlsPolicy, alpnProtocols: string[]): TlsSettings {
  const key = `${tlsPolicyKey(policy)}|${alpnProtocols.join(",")}`;
  let settings = cache.get(key);
  if (!settings) {
    settings = build(policy, alpnProtocols);
    if (cache.size > 64) cache.clear();
    cache.set(key, settings);
  }
  return settings;
}

function build(policy: TlsPolicy, alpnProtocols: string[]): TlsSettings {
  const settings: TlsSettings = { rejectUnauthorized: policy.verify !== false, alpnProtocols };
  if (typeof policy.verify === "string") settings.ca = loadCa(policy.verify);
  if (policy.cert !== null) {
    const [cert, key, passphrase] = typeof policy.cert === "string" ? [policy.cert] : policy.cert;
    settings.cert = pemOrFile(cert);
    if (key !== undefined) settings.key = pemOrFile(key);
    if (passphrase !== undefined) settings.passphrase = passphrase;
  }
  return settings;
}

function isPem(value: string): boolean {
  return value.includes("-----BEGIN ");
}

function pemOrFile(value: string): string {
  if (isPem(value)) return value;
  try {
    return readFileSync(value, "latin1");
  } catch (error) {
    throw new SSLError(`Cannot read certificate file ${value}`, { cause: error });
  }
}

/** A CA bundle: PEM text, a bundle file, or a directory of PEM files. */
function loadCa(value: string): string[] | string {
  if (isPem(value)) return value;
  try {
    if (statSync(value).isDirectory()) {
      return readdirSync(value)
        .filter((name) => /\.(pem|crt|cer)$|^[0-9a-f]{8}\.\d+$/i.test(name))
        .map((name) => readFileSync(join(value, name), "latin1"));
    }
    return readFileSync(value, "latin1");
  } catch (error) {
    throw new SSLError(`Cannot read CA bundle ${value}`, { cause: error });
  }
}
