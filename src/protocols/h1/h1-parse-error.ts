/**
 * Raised by the pure HTTP/1.1 parser. The connection layer maps it onto the public error tree
 * (`ProtocolError` / `ConnectionError`); it never reaches users as is.
 */
export class H1ParseError extends Error {
  /**
   * `true` when the peer closed the connection in the middle of a message (EOF before the end);
   * `false` for a protocol violation in the bytes themselves.
   */
  readonly incomplete: boolean;

  constructor(message: string, incomplete = false) {
    super(message);
    this.name = "H1ParseError";
    this.incomplete = incomplete;
  }
}
