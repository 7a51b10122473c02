/**
 * How sockets are opened: happy eyeballs, address families, source address. Checked once when
 * the transport is built, so a bad value fails at `new Session()` rather than mid-request.
 */
import net from "node:net";

/** Attempts raced when `happyEyeballs: true`. */
export const DEFAULT_HAPPY_EYEBALLS = 4;

export interface NetworkOptions {
  /** Race connection attempts over the resolved addresses (RFC 8305): true (4 at once) or a count. Default off. */
  happyEyeballs?: boolean | number;
  /** Never connect over IPv4. */
  disableIpv4?: boolean;
  /** Never connect over IPv6 (both at once is a TypeError). */
  disableIpv6?: boolean;
  /** Bind outgoing sockets to this local IP, or `[ip, port]`. */
  sourceAddress?: string | [string, number] | null;
}

export interface ResolvedNetworkOptions {
  happyEyeballs: number | null;
  disableIpv4: boolean;
  disableIpv6: boolean;
  localAddress: string | undefined;
  localPort: number | undefined;
}

/** A TypeError with Node's code for a bad argument value. */
function invalid(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: "ERR_INVALID_ARG_VALUE" });
}

export function resolveNetworkOptions(options: NetworkOptions): ResolvedNetworkOptions {
  const { happyEyeballs = false, disableIpv4 = false, disableIpv6 = false, sourceAddress = null } = options;
  let race: number | null;
  if (happyEyeballs === true) race = DEFAULT_HAPPY_EYEBALLS;
  else if (happyEyeballs === false) race = null;
  else if (Number.isInteger(happyEyeballs) && happyEyeballs >= 1) race = happyEyeballs;
  else throw invalid(`happyEyeballs must be a boolean or a positive integer, got ${String(happyEyeballs)}`);
  if (typeof disableIpv4 !== "boolean" || typeof disableIpv6 !== "boolean") {
    throw invalid("disableIpv4 and disableIpv6 must be booleans");
  }
  if (disableIpv4 && disableIpv6) {
    throw invalid("disableIpv4 and disableIpv6 cannot both be true: no address family would be left");
  }
  let localAddress: string | undefined;
  let localPort: number | undefined;
  if (sourceAddress !== null) {
    const [ip, port] = typeof sourceAddress === "string" ? [sourceAddress, undefined] : sourceAddress;
    if (typeof ip !== "string" || net.isIP(ip) === 0) {
      throw invalid(
        `sourceAddress must be an IP address or [ip, port], got ${JSON.stringify(sourceAddress)}`,
      );
    }
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
      throw invalid(`sourceAddress port must be an integer from 0 to 65535, got ${String(port)}`);
    }
    if ((disableIpv4 && net.isIPv4(ip)) || (disableIpv6 && net.isIPv6(ip))) {
      throw invalid(`sourceAddress ${ip} is of a disabled address family`);
    }
    localAddress = ip;
    localPort = port === 0 ? undefined : port;
  }
  return { happyEyeballs: race, disableIpv4, disableIpv6, localAddress, localPort };
}
