/**
 * One event vocabulary for every protocol engine (h1 now, h2/h3 later), so pools and body code
 * never branch on the HTTP version. Header names keep the case they had on the wire; values are
 * latin1 strings (bytes kept opaque).
 */

/** Header fields in wire order, duplicates kept apart (Set-Cookie). */
export type HeaderList = Array<[name: string, value: string]>;

/** The final response head. */
export interface HeadersReceived {
  type: "headers";
  status: number;
  reason: string;
  /** 10 for HTTP/1.0, 11 for HTTP/1.1, 20, 30. */
  httpVersion: 10 | 11 | 20 | 30;
  headers: HeaderList;
  /** The connection may carry another request once this response is complete. */
  keepAlive: boolean;
  /** The body runs until the connection closes (no length, not chunked). */
  closeDelimited: boolean;
  /** 101 Switching Protocols, or 2xx to CONNECT: the socket now belongs to the caller. */
  upgrade: boolean;
  /** Known body length (Content-Length), or null when chunked / close-delimited / none. */
  contentLength: number | null;
}

/** A 1xx interim response (100, 103 …), never the final one. */
export interface InformationalReceived {
  type: "informational";
  status: number;
  reason: string;
  headers: HeaderList;
}

export interface DataReceived {
  type: "data";
  /** A view into parser input or a fresh buffer; consume or copy before the next feed. */
  data: Uint8Array;
}

export interface TrailersReceived {
  type: "trailers";
  headers: HeaderList;
}

/** The response (head and body) is complete. */
export interface MessageComplete {
  type: "end";
}

export interface StreamReset {
  type: "reset";
  code: number;
}

export interface GoawayReceived {
  type: "goaway";
  lastStreamId: number;
  code: number;
}

export interface ConnectionTerminated {
  type: "terminated";
  error: Error | null;
}

export type ProtocolEvent =
  | HeadersReceived
  | InformationalReceived
  | DataReceived
  | TrailersReceived
  | MessageComplete
  | StreamReset
  | GoawayReceived
  | ConnectionTerminated;
