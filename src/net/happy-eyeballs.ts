/**
 * Happy eyeballs (RFC 8305): resolve a name, interleave the address families (IPv6 first), and
 * race TCP connects with staggered starts. The first socket to connect wins; every other
 * attempt is destroyed and every timer cleared, whatever the outcome.
 */
import dns from "node:dns";
import net from "node:net";

export interface LookupAddress {
  address: string;
  family: number;
}

/** A resolver-like function: all addresses for a host name. */
export type LookupFunction = (host: string) => Promise<LookupAddress[]>;

export const systemLookup: LookupFunction = (host) =>
  dns.promises.lookup(host, { all: true, order: "verbatim" });

export interface FamilyFilter {
  disableIpv4: boolean;
  disableIpv6: boolean;
}

/** RFC 8305 §8 recommends 250 ms between attempts. */
export const ATTEMPT_DELAY_MS = 250;

/**
 * Drops disabled families and duplicates, then alternates families starting with IPv6 when both
 * exist (RFC 8305 §4), keeping the resolver's order within each family.
 */
export function orderAddresses(addresses: readonly LookupAddress[], filter: FamilyFilter): LookupAddress[] {
  const seen = new Set<string>();
  const v6: LookupAddress[] = [];
  const v4: LookupAddress[] = [];
  for (const entry of addresses) {
    const family = entry.family === 6 || net.isIPv6(entry.address) ? 6 : 4;
    if ((family === 6 && filter.disableIpv6) || (family === 4 && filter.disableIpv4)) continue;
    if (seen.has(entry.address)) continue;
    seen.add(entry.address);
    (family === 6 ? v6 : v4).push({ address: entry.address, family });
  }
  const out: LookupAddress[] = [];
  for (let i = 0; i < Math.max(v6.length, v4.length); i++) {
    if (v6[i]) out.push(v6[i]!);
    if (v4[i]) out.push(v4[i]!);
  }
  return out;
}

export interface RaceOptions {
  port: number;
  /** Attempts in flight at once, at most. */
  concurrency: number;
  /** Delay before starting the next attempt while earlier ones are still pending. */
  delayMs?: number;
  localAddress?: string;
  localPort?: number;
  /** Aborting destroys every pending attempt and rejects with the signal's reason. */
  signal: AbortSignal;
}

/** Connects to the first address that answers; rejects with the last error when all fail. */
export function raceConnect(addresses: readonly LookupAddress[], options: RaceOptions): Promise<net.Socket> {
  const delay = options.delayMs ?? ATTEMPT_DELAY_MS;
  return new Promise<net.Socket>((resolve, reject) => {
    const pending = new Set<net.Socket>();
    let next = 0;
    let lastError: unknown = new Error("No address to connect to");
    let timer: NodeJS.Timeout | null = null;
    let done = false;

    const finish = (): void => {
      done = true;
      if (timer) clearTimeout(timer);
      timer = null;
      options.signal.removeEventListener("abort", onAbort);
      for (const socket of pending) socket.destroy();
      pending.clear();
    };
    const onAbort = (): void => {
      finish();
      reject(options.signal.reason);
    };
    const schedule = (immediate: boolean): void => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (next >= addresses.length) {
        if (pending.size === 0) {
          finish();
          reject(lastError);
        }
        return;
      }
      if (pending.size >= options.concurrency) return;
      timer = setTimeout(attempt, immediate || pending.size === 0 ? 0 : delay);
    };
    const attempt = (): void => {
      timer = null;
      const target = addresses[next++]!;
      const socket = net.connect({
        host: target.address,
        port: options.port,
        family: target.family,
        noDelay: true,
        ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
        ...(options.localPort !== undefined ? { localPort: options.localPort } : {}),
      });
      pending.add(socket);
      socket.once("connect", () => {
        if (done) return;
        pending.delete(socket);
        finish();
        resolve(socket);
      });
      socket.once("error", (error) => {
        pending.delete(socket);
        socket.destroy();
        if (done) return;
        lastError = error;
        // A failed attempt frees its slot: the next address starts at once.
        schedule(true);
      });
      schedule(false);
    };

    if (options.signal.aborted) {
      reject(options.signal.reason);
      return;
    }
    options.signal.addEventListener("abort", onAbort, { once: true });
    schedule(true);
  });
}
