/**
 * THE SEAM between policy (session, auth, cookies, redirects, retries, hooks) and I/O (pools,
 * protocols, sockets). Everything above talks to a {@link Transport}; everything below sees only
 * {@link TransportRequest} and per-request settings in {@link TransportContext}.
 */
import type { CertificateDict } from "../net/certificate-dict.ts";
import type { HeaderList } from "../protocols/events.ts";

/** A request body whose bytes are produced on demand (streams, iterables, multipart with files). */
export interface StreamBody {
  /** Total byte length when known up front (sent as Content-Length), else null (chunked). */
  readonly length: number | null;
  /** True when {@link open} can be called again to replay the body (redirects, retries). */
  readonly rewindable: boolean;
  /** Starts producing the body. A non-rewindable body throws on the second call. */
  open(): AsyncIterable<Uint8Array>;
}

/** A fully prepared body: bytes in memory, or a stream. */
export type RequestBody = Uint8Array | StreamBody;

/**
 * Trailer fields sent after the request body: a list known up front, or a function the
 * connection calls once the last body byte has been handed to it (again on every replay). The
 * session validates both; the function rejects with the error to fail the request with.
 */
export type RequestTrailers = HeaderList | (() => Promise<HeaderList>);

export interface TransportRequest {
  method: string;
  url: URL;
  /** Final wire headers, original case, in order. Host is added by the transport when absent. */
  headers: HeaderList;
  body: RequestBody | null;
  /**
   * Trailer fields after the body. HTTP/1.1 then frames the body chunked (an empty one when
   * `body` is null); HTTP/2 sends them as a final HEADERS frame.
   */
  trailers?: RequestTrailers | null;
}

/** Upload progress, reported while the request body is written. */
export interface UploadProgress {
  sent: number;
  total: number | null;
  done: boolean;
}

export interface InformationalResponse {
  status: number;
  reason: string;
  headers: HeaderList;
}

/** Per-request TLS policy (Session `verify` / `cert`). */
export interface TlsPolicy {
  /**
   * true: system trust; false: no verification; string: CA bundle path (file or directory),
   * PEM text, or `sha256_<hex>` to accept exactly the leaf with that SHA-256 fingerprint.
   */
  verify: boolean | string;
  /** Client certificate: a PEM path/text, `[cert, key]` or `[cert, key, password]`. */
  cert: string | [string, string] | [string, string, string] | null;
  /** `verify: true` then honours `REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE`, `SSL_CERT_DIR`. */
  trustEnv?: boolean;
}

export interface TransportContext {
  tls: TlsPolicy;
  /** Milliseconds to establish a connection (DNS + TCP + TLS), or null for none. */
  connectTimeout: number | null;
  /** Milliseconds of silence allowed while waiting for bytes from the server, or null. */
  readTimeout: number | null;
  /** Cancels connecting, sending, and reading the body. */
  signal: AbortSignal | null;
  /** Called for each 1xx interim response (103 Early Hints …). */
  onInformational: ((info: InformationalResponse) => void) | null;
  /** Called as request body bytes are written. */
  onUpload: ((progress: UploadProgress) => void) | null;
  /**
   * Awaited once a connection is chosen, before the request is written (the preSend hook). It
   * may return a new header list to send instead.
   */
  beforeSend: ((info: ConnectionInfo) => Promise<HeaderList | undefined> | HeaderList | undefined) | null;
}

/** Pull-based response body: bytes are read from the connection only as fast as they are asked for. */
export interface ResponseBodyStream extends AsyncIterable<Uint8Array> {
  /** The next chunk, or null at the end of the body. Rejects on truncation, reset or timeout. */
  read(): Promise<Uint8Array | null>;
  /** Trailer fields, available once the body has been read to its end. */
  readonly trailers: HeaderList;
  /** True once the end of the body was reached. */
  readonly complete: boolean;
  /** Stops reading; an unfinished body costs the connection (it is closed, not reused). */
  cancel(): void;
  /**
   * Optional fast path for reading a whole body: resolves with every chunk once the body ended
   * (later reads see the end), or with null as soon as more than `maxBytes` are buffered (they
   * stay queued for `read()`). Rejects as `read()` would.
   */
  collect?(maxBytes: number): Promise<Uint8Array[] | null>;
}

/** What a transport knows about the connection a response came over. */
export interface ConnectionInfo {
  destinationAddress: [ip: string, port: number] | null;
  tlsVersion: string | null;
  cipher: string | null;
  certificateDer: Uint8Array | null;
  /** The peer certificate parsed: subject, issuer, SANs, validity, serial, fingerprint. */
  certificateDict: CertificateDict | null;
  issuerCertificateDer: Uint8Array | null;
  httpVersion: 10 | 11 | 20 | 30 | null;
  resolutionLatency: number | null;
  establishedLatency: number | null;
  tlsHandshakeLatency: number | null;
  requestSentLatency: number | null;
  /**
   * True when the request went over a connection that had served an earlier one; the latencies
   * are then those of that connection's original connect.
   */
  reused: boolean;
}

export interface TransportResponse {
  status: number;
  reason: string;
  httpVersion: 10 | 11 | 20 | 30;
  headers: HeaderList;
  body: ResponseBodyStream;
  connInfo: ConnectionInfo | null;
}

/** Sends one request and resolves once the response head has arrived. */
export interface Transport {
  handle(request: TransportRequest, ctx: TransportContext): Promise<TransportResponse>;
  close(): Promise<void>;
}
