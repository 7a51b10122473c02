/**
 * A throw-away test PKI made with Debian's `openssl` at test time: a server CA with P-256 and
 * RSA leaves, an expired, a not-yet-valid and a wrong-host leaf, an intermediate CA with a leaf, and a separate client-auth CA
 * with a client certificate (its key also encrypted, for the password form). Every leaf is
 * signed with `openssl ca`, which is the one way OpenSSL 3.0 sets validity dates in the past.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { missingExecutables, reportMissing } from "./peer-process.ts";

const OPENSSL = "/usr/bin/openssl";

/** One certificate: file paths and the PEM text of both halves. */
export interface CertFiles {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  /** The server CA that signed every server leaf. */
  ca: CertFiles;
  /** P-256 leaf for localhost, test.example, 127.0.0.1 and ::1. */
  leaf: CertFiles;
  /** RSA-2048 leaf with the same names. */
  rsaLeaf: CertFiles;
  /** Valid from 2020-01-01 to 2021-01-01. */
  expired: CertFiles;
  /** Valid from 2090-01-01 on. */
  notYetValid: CertFiles;
  /** Names only wrong.example. */
  wrongHost: CertFiles;
  /** An intermediate CA signed by {@link ca}. */
  intermediate: CertFiles;
  /** A P-256 leaf with the usual names, signed by {@link intermediate}. */
  intermediateLeaf: CertFiles;
  /** A separate CA that signs client certificates (servers trust it for client auth). */
  clientCa: CertFiles;
  /** A client certificate (CN=niquests-client) signed by clientCa. */
  client: CertFiles;
  /** The client key encrypted with AES-256 under {@link clientKeyPassword}. */
  clientEncryptedKeyPath: string;
  clientEncryptedKey: string;
  clientKeyPassword: string;
  /** The server leaves' names. */
  hosts: readonly string[];
  /** Removes the directory. */
  remove(): void;
}

const SERVER_SAN = "DNS:localhost,DNS:test.example,IP:127.0.0.1,IP:::1";

function run(args: string[], cwd: string): string {
  return execFileSync(OPENSSL, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function read(dir: string, name: string): CertFiles {
  const certPath = join(dir, `${name}.pem`);
  const keyPath = join(dir, `${name}.key`);
  return { certPath, keyPath, cert: readFileSync(certPath, "latin1"), key: readFileSync(keyPath, "latin1") };
}

/** A self-signed CA in `dir/<name>.pem` + `.key`, with an `openssl ca` database beside it. */
function makeCa(dir: string, name: string, cn: string): void {
  run(
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.pem`,
      "-days",
      "3650",
      "-subj",
      `/CN=${cn}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ],
    dir,
  );
  caDatabase(dir, name, name === "ca" ? "1000" : "2000");
}

/** The `openssl ca` database and config that let `dir/<name>.pem` sign certificates. */
function caDatabase(dir: string, name: string, serial: string): void {
  mkdirSync(join(dir, `${name}-db`));
  writeFileSync(join(dir, `${name}-db`, "index.txt"), "");
  writeFileSync(join(dir, `${name}-db`, "serial"), `${serial}\n`);
  writeFileSync(
    join(dir, `${name}.cnf`),
    [
      "[ca]",
      "default_ca = this",
      "[this]",
      `dir = ${join(dir, `${name}-db`)}`,
      "database = $dir/index.txt",
      "serial = $dir/serial",
      "new_certs_dir = $dir",
      `certificate = ${join(dir, `${name}.pem`)}`,
      `private_key = ${join(dir, `${name}.key`)}`,
      "default_md = sha256",
      "policy = anything",
      "unique_subject = no",
      "copy_extensions = none",
      "[anything]",
      "commonName = supplied",
      "",
    ].join("\n"),
  );
}

interface LeafSpec {
  name: string;
  ca: string;
  cn: string;
  keyType: "ec" | "rsa";
  extensions: string[];
  start?: string;
  end?: string;
}

function makeLeaf(dir: string, spec: LeafSpec): void {
  const keyArgs =
    spec.keyType === "ec"
      ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
      : ["-newkey", "rsa:2048"];
  run(
    [
      "req",
      ...keyArgs,
      "-nodes",
      "-keyout",
      `${spec.name}.key`,
      "-out",
      `${spec.name}.csr`,
      "-subj",
      `/CN=${spec.cn}`,
    ],
    dir,
  );
  writeFileSync(join(dir, `${spec.name}.ext`), `[ext]\n${spec.extensions.join("\n")}\n`);
  run(
    [
      "ca",
      "-batch",
      "-notext",
      "-config",
      `${spec.ca}.cnf`,
      "-in",
      `${spec.name}.csr`,
      "-out",
      `${spec.name}.pem`,
      "-extfile",
      `${spec.name}.ext`,
      "-extensions",
      "ext",
      ...(spec.start ? ["-startdate", spec.start] : []),
      ...(spec.end ? ["-enddate", spec.end] : ["-days", "825"]),
    ],
    dir,
  );
}

function serverLeaf(name: string, keyType: "ec" | "rsa", san = SERVER_SAN): LeafSpec {
  return {
    name,
    ca: "ca",
    cn: san.startsWith("DNS:") ? san.slice(4).split(",")[0]! : "localhost",
    keyType,
    extensions: [
      `subjectAltName=${san}`,
      "basicConstraints=CA:FALSE",
      "keyUsage=digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
    ],
  };
}

/** Makes the PKI in a fresh temp dir. Returns null (after reportMissing) without openssl. */
export function makeTestPki(): TestPki | null {
  if (missingExecutables([OPENSSL]).length > 0) {
    reportMissing(`${OPENSSL} (apt package openssl)`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), "niquests-pki-"));
  try {
    makeCa(dir, "ca", "niquests Test CA");
    makeCa(dir, "client-ca", "niquests Client CA");
    makeLeaf(dir, serverLeaf("leaf", "ec"));
    makeLeaf(dir, serverLeaf("rsa-leaf", "rsa"));
    makeLeaf(dir, { ...serverLeaf("expired", "ec"), start: "20200101000000Z", end: "20210101000000Z" });
    makeLeaf(dir, { ...serverLeaf("not-yet-valid", "ec"), start: "20900101000000Z", end: "20910101000000Z" });
    makeLeaf(dir, serverLeaf("wrong-host", "ec", "DNS:wrong.example"));
    makeLeaf(dir, {
      name: "intermediate",
      ca: "ca",
      cn: "niquests Intermediate CA",
      keyType: "ec",
      extensions: ["basicConstraints=critical,CA:TRUE,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign"],
    });
    caDatabase(dir, "intermediate", "3000");
    makeLeaf(dir, { ...serverLeaf("intermediate-leaf", "ec"), ca: "intermediate" });
    makeLeaf(dir, {
      name: "client",
      ca: "client-ca",
      cn: "niquests-client",
      keyType: "ec",
      extensions: ["basicConstraints=CA:FALSE", "keyUsage=digitalSignature", "extendedKeyUsage=clientAuth"],
    });
    const clientKeyPassword = "client-pass";
    run(
      [
        "pkey",
        "-in",
        "client.key",
        "-aes256",
        "-passout",
        `pass:${clientKeyPassword}`,
        "-out",
        "client-encrypted.key",
      ],
      dir,
    );
    const clientEncryptedKeyPath = join(dir, "client-encrypted.key");
    return {
      dir,
      ca: read(dir, "ca"),
      leaf: read(dir, "leaf"),
      rsaLeaf: read(dir, "rsa-leaf"),
      expired: read(dir, "expired"),
      notYetValid: read(dir, "not-yet-valid"),
      wrongHost: read(dir, "wrong-host"),
      intermediate: read(dir, "intermediate"),
      intermediateLeaf: read(dir, "intermediate-leaf"),
      clientCa: read(dir, "client-ca"),
      client: read(dir, "client"),
      clientEncryptedKeyPath,
      clientEncryptedKey: readFileSync(clientEncryptedKeyPath, "latin1"),
      clientKeyPassword,
      hosts: ["localhost", "test.example", "127.0.0.1", "::1"],
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** `openssl x509` facts about a certificate file, to compare with what a client saw. */
export function opensslFacts(certPath: string): {
  serial: string;
  fingerprint256: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
} {
  const out = run(
    [
      "x509",
      "-in",
      certPath,
      "-noout",
      "-serial",
      "-fingerprint",
      "-sha256",
      "-subject",
      "-issuer",
      "-dates",
    ],
    ".",
  );
  const field = (prefix: string): string => {
    const line = out.split("\n").find((l) => l.startsWith(prefix));
    if (line === undefined) throw new Error(`openssl x509 printed no ${prefix} line:\n${out}`);
    return line.slice(prefix.length).trim();
  };
  return {
    serial: field("serial="),
    fingerprint256: field("sha256 Fingerprint=").toUpperCase(),
    subject: field("subject="),
    issuer: field("issuer="),
    notBefore: field("notBefore="),
    notAfter: field("notAfter="),
  };
}
