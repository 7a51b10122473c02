import { ConnectionError } from "../../errors/errors.ts";

/**
 * The server said it never processed the request (RST_STREAM REFUSED_STREAM, or a stream above
 * a GOAWAY's last stream id): sending it again on another connection is safe for any method.
 */
export class UnprocessedRequestError extends ConnectionError {
  override readonly code: string = "ERR_REQUEST_NOT_PROCESSED";
}
