/**
 * The connInfo a protocol driver starts from: the peer address and the connect latencies, plus
 * what the TLS handshake told (`info`). Per-request fields (requestSentLatency, reused) are
 * filled in by the driver.
 */
import type { Socket } from "node:net";
import type { ConnectTimings } from "../net/connect.ts";
import type { ConnectionInfo } from "../transport/transport.ts";

export function baseConnectionInfo(
  socket: Socket,
  timings: ConnectTimings,
  httpVersion: ConnectionInfo["httpVersion"],
  info: Partial<ConnectionInfo>,
): ConnectionInfo {
  return {
    destinationAddress: socket.remoteAddress ? [socket.remoteAddress, socket.remotePort ?? 0] : null,
    tlsVersion: null,
    cipher: null,
    certificateDer: null,
    certificateDict: null,
    issuerCertificateDer: null,
    httpVersion,
    resolutionLatency: timings.resolution,
    establishedLatency: timings.established,
    tlsHandshakeLatency: timings.tlsHandshake,
    requestSentLatency: null,
    reused: false,
    ...info,
  };
}
