/**
 * A peer certificate as a plain dict, shaped like Python's `ssl.getpeercert()` (what Niquests
 * exposes as `conn_info.certificate_dict`) but with JavaScript types: attribute names spelled
 * out (`commonName`), SANs as `[type, value]` pairs, validity as text and as Dates.
 */
import { X509Certificate } from "node:crypto";

/** One relative distinguished name attribute, e.g. `["commonName", "localhost"]`. */
export type NameAttribute = [name: string, value: string];

/** A subject alternative name, e.g. `["DNS", "localhost"]` or `["IP Address", "127.0.0.1"]`. */
export type AltName = [type: string, value: string];

export interface CertificateDict {
  subject: NameAttribute[];
  issuer: NameAttribute[];
  subjectAltName: AltName[];
  /** Validity start as OpenSSL prints it, e.g. `"Jan  1 00:00:00 2020 GMT"`. */
  notBefore: string;
  notAfter: string;
  validFrom: Date;
  validTo: Date;
  /** Serial number in upper-case hex, as `openssl x509 -serial` prints it. */
  serialNumber: string;
  /** SHA-256 fingerprint of the DER, colon-separated upper-case hex. */
  fingerprintSha256: string;
  version: number;
}

/** OpenSSL short names to the long names Python's ssl module uses. */
const LONG_NAMES: Record<string, string> = {
  CN: "commonName",
  O: "organizationName",
  OU: "organizationalUnitName",
  C: "countryName",
  ST: "stateOrProvinceName",
  L: "localityName",
  DC: "domainComponent",
  emailAddress: "emailAddress",
  serialNumber: "serialNumber",
};

export function certificateDict(der: Uint8Array): CertificateDict {
  const x509 = new X509Certificate(der);
  return {
    subject: parseName(x509.subject),
    issuer: parseName(x509.issuer),
    subjectAltName: parseAltNames(x509.subjectAltName ?? ""),
    notBefore: x509.validFrom,
    notAfter: x509.validTo,
    validFrom: new Date(x509.validFrom),
    validTo: new Date(x509.validTo),
    serialNumber: x509.serialNumber.toUpperCase(),
    fingerprintSha256: x509.fingerprint256,
    version: 3,
  };
}

/** Node prints a name as one `KEY=value` line per attribute. */
function parseName(text: string): NameAttribute[] {
  const out: NameAttribute[] = [];
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    out.push([LONG_NAMES[key] ?? key, unquote(line.slice(eq + 1))]);
  }
  return out;
}

/** `DNS:a, IP Address:127.0.0.1`; values with separators in them are JSON-quoted by Node. */
function parseAltNames(text: string): AltName[] {
  const out: AltName[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(":", i);
    if (colon < 0) break;
    const type = text.slice(i, colon);
    let j = colon + 1;
    let value: string;
    if (text[j] === '"') {
      let end = j + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      value = unquote(text.slice(j, end + 1));
      j = end + 1;
    } else {
      const comma = text.indexOf(", ", j);
      const end = comma < 0 ? text.length : comma;
      value = text.slice(j, end);
      j = end;
    }
    out.push([type, value]);
    i = text.startsWith(", ", j) ? j + 2 : j + 1;
  }
  return out;
}

function unquote(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  try {
    return JSON.parse(value) as string;
  } catch {
    return value;
  }
}
