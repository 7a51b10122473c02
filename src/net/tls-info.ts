/**
 * What a finished TLS handshake tells about the connection: version, cipher, the peer's
 * certificate (DER and dict) and its issuer's, for `connInfo`. Shared by every protocol driver.
 */
import type { TLSSocket } from "node:tls";
import { type CertificateDict, certificateDict } from "./certificate-dict.ts";

export interface TlsInfo {
  tlsVersion: string | null;
  cipher: string | null;
  certificateDer: Uint8Array | null;
  certificateDict: CertificateDict | null;
  issuerCertificateDer: Uint8Array | null;
}

export function tlsInfo(socket: TLSSocket): TlsInfo {
  const peer = socket.getPeerCertificate(true);
  const hasPeer = peer !== null && typeof peer === "object" && peer.raw !== undefined;
  // Node links the chain the server sent (completed from the trust store); a self-signed
  // certificate is its own issuer and is not reported twice.
  const issuer =
    hasPeer && peer.issuerCertificate?.raw && !peer.issuerCertificate.raw.equals(peer.raw)
      ? peer.issuerCertificate
      : null;
  const der = hasPeer ? new Uint8Array(peer.raw) : null;
  return {
    tlsVersion: socket.getProtocol(),
    cipher: socket.getCipher()?.name ?? null,
    certificateDer: der,
    certificateDict: der ? certificateDict(der) : null,
    issuerCertificateDer: issuer ? new Uint8Array(issuer.raw) : null,
  };
}
