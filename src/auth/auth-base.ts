/**
 * Authentication attaches credentials to a prepared request. Subclass {@link AuthBase} (or pass a
 * function) for custom schemes; `[user, pass]` means HTTP Basic, a string a Bearer token.
 */
import type { PreparedRequest } from "../models/prepared-request.ts";
import type { Response } from "../models/response.ts";

export abstract class AuthBase {
  /** Adds credentials to the request; may return a replacement request. */
  abstract apply(
    request: PreparedRequest,
  ): PreparedRequest | undefined | Promise<PreparedRequest | undefined>;

  /**
   * Optional second step of an auth flow: sees each response to a request this auth applied to,
   * and may answer it (a 401 challenge, say) with a new request to send instead. The response it
   * answers goes into `history`. Return null to keep the response.
   */
  handleResponse?(
    response: Response,
    request: PreparedRequest,
  ): PreparedRequest | null | Promise<PreparedRequest | null>;
}

/** HTTP Basic authentication (RFC 7617), credentials encoded as UTF-8. */
export class HTTPBasicAuth extends AuthBase {
  readonly username: string;
  readonly password: string;
  readonly #header: string;

  constructor(username: string, password: string) {
    super();
    this.username = username;
    this.password = password;
    this.#header = `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
  }

  apply(request: PreparedRequest): PreparedRequest {
    request.headers.set("Authorization", this.#header);
    return request;
  }
}

/**
 * Sends `Authorization: Bearer <token>`. A token that contains a space is taken as a complete
 * `<scheme> <credentials>` value and sent as is (as Niquests does), e.g. `"Token abc"`.
 *
 * @example
 * await niquests.get(url, { auth: new BearerTokenAuth("abc") }); // same as { auth: "abc" }
 */
export class BearerTokenAuth extends AuthBase {
  readonly token: string;

  constructor(token: string) {
    super();
    if (typeof token !== "string" || token === "")
      throw new TypeError("A bearer token must be a non-empty string");
    this.token = token;
  }

  apply(request: PreparedRequest): PreparedRequest {
    request.headers.set("Authorization", this.token.includes(" ") ? this.token : `Bearer ${this.token}`);
    return request;
  }
}

export type AuthFunction = (
  request: PreparedRequest,
) => PreparedRequest | undefined | Promise<PreparedRequest | undefined>;

/** What `auth` accepts: `[user, pass]` (Basic), a token string (Bearer), an AuthBase, or a function. */
export type AuthInput = string | readonly [string, string] | AuthBase | AuthFunction;

export function toAuth(input: AuthInput): AuthBase | AuthFunction {
  if (input instanceof AuthBase || typeof input === "function") return input;
  if (Array.isArray(input) && input.length === 2)
    return new HTTPBasicAuth(String(input[0]), String(input[1]));
  if (typeof input === "string") return new BearerTokenAuth(input);
  throw new TypeError("auth must be [user, password], a bearer token, an AuthBase instance or a function");
}

export async function applyAuth(
  auth: AuthBase | AuthFunction,
  request: PreparedRequest,
): Promise<PreparedRequest> {
  const result = auth instanceof AuthBase ? await auth.apply(request) : await auth(request);
  return result ?? request;
}
