/**
 * Connecting, against nginx: Unix sockets, source addresses, happy eyeballs with a resolver stub
 * whose first address is a blackhole, address-family switches, the pool summary and the
 * diagnostics channels.
 */
import assert from "node:assert/strict";
import diagnostics from "node:diagnostics_channel";
import { after, describe, test } from "node:test";
import { CHANNELS, ConnectionError, ConnectTimeout, Session } from "../../src/index.ts";
import type { LookupAddress } from "../../src/net/happy-eyeballs.ts";
import { HttpTransport } from "../../src/transport/http-transport.ts";
import { startBlackhole } from "../integration/blackhole.ts";
import { BIG_BODY_BYTES, type NginxTlsPeer, parseInfo, startNginxTls } from "../peers/nginx-tls.ts";
import { freePort } from "../peers/peer-process.ts";
import { makeTestPki, type TestPki } from "../peers/pki.ts";
import { requirePeer } from "../peers/require-peer.ts";
import { settle } from "../support/open-handles.ts";

const pki: TestPki | null = makeTestPki();
const nginx: NginxTlsPeer | null = pki ? await requirePeer("nginx", () => startNginxTls(pki)) : null;
after(async () => {
  await nginx?.stop();
  pki?.remove();
});

function sockets(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === "TCPSocketWrap" || kind === "TCPWRAP")
    .length;
}
function timers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
}
/** A resolver stub that records the names it was asked for. */
function stubLookup(addresses: LookupAddress[]): {
  lookup: (host: string) => Promise<LookupAddress[]>;
  asked: string[];
} {
  const asked: string[] = [];
  return {
    asked,
    lookup: async (host) => {
      asked.push(host);
      return addresses;
    },
  };
}

/** A Session whose default transport uses `lookup` (the `resolver` option is a later issue). */
function sessionWith(options: ConstructorParameters<typeof HttpTransport>[0], verify: string): Session {
  const s = new Session({ verify });
  const transport = new HttpTransport(options);
  s.mount("https://", transport);
  s.mount("http://", transport);
  return s;
}

describe("connecting, against nginx", { skip: nginx ? false : "nginx not installed" }, () => {
  const ng = nginx!;
  const ca = pki!.ca.certPath;

  test("http+unix:// reaches nginx on its Unix socket, pooled per socket path", async () => {
    await using s = new Session();
    const url = `http+unix://${encodeURIComponent(ng.socketPath)}/route?q=1`;
    const first = await s.get(url);
    const seen = parseInfo(first.text ?? "");
    assert.equal(first.statusCode, 200);
    assert.equal(seen.server, "plain");
    assert.equal(seen.remote_addr, "unix:");
    assert.equal(seen.uri, "/route?q=1");
    assert.equal(seen.host, "localhost");
    const second = await s.get(url);
    assert.equal(first.connInfo?.reused, false);
    assert.equal(second.connInfo?.reused, true);
    assert.match(
      String(s),
      new RegExp(`http\\+unix://${ng.socketPath.replaceAll("/", "\\/")}: 1 connection\\(s\\), 1 idle`),
    );
  });

  test("a baseUrl on a Unix socket", async () => {
    await using s = new Session({ baseUrl: `http+unix://${encodeURIComponent(ng.socketPath)}/api` });
    const r = await s.get("/items");
    assert.equal(parseInfo(r.text ?? "").uri, "/api/items");
  });

  test("a missing socket path is a ConnectionError", async () => {
    await using s = new Session({ retries: false });
    const error = await s
      .get(`http+unix://${encodeURIComponent(`${ng.socketPath}.missing`)}/`)
      .catch((e: unknown) => e);
    assert.ok(error instanceof ConnectionError, String(error));
    assert.equal((error.cause as NodeJS.ErrnoException).code, "ENOENT");
  });

  test("sourceAddress binds the outgoing socket (IP, and [IP, port])", async () => {
    await using s = new Session({ verify: ca, sourceAddress: "127.0.0.2" });
    const r = await s.get(`${ng.url("ec", "127.0.0.1")}/info`);
    assert.equal(parseInfo(r.text ?? "").remote_addr, "127.0.0.2");
    const port = await freePort();
    await using pinned = new Session({ verify: ca, sourceAddress: ["127.0.0.3", port] });
    const p = parseInfo((await pinned.get(`${ng.httpUrl}/info`)).text ?? "");
    assert.equal(p.remote_addr, "127.0.0.3");
    assert.equal(p.remote_port, String(port));
  });

  test("bad network options are TypeErrors at construction", () => {
    assert.throws(() => new Session({ disableIpv4: true, disableIpv6: true }), {
      name: "TypeError",
      code: "ERR_INVALID_ARG_VALUE",
      message: /cannot both be true/,
    });
    assert.throws(() => new Session({ sourceAddress: "not-an-ip" }), { code: "ERR_INVALID_ARG_VALUE" });
    assert.throws(() => new Session({ sourceAddress: ["127.0.0.1", 70000] }), {
      code: "ERR_INVALID_ARG_VALUE",
    });
    assert.throws(() => new Session({ happyEyeballs: 0 }), { code: "ERR_INVALID_ARG_VALUE" });
    assert.throws(
      () => new Session({ disableIpv4: true, sourceAddress: "127.0.0.1" }),
      /disabled address family/,
    );
  });

  test("happy eyeballs: a blackholed first address does not hold up the live one", async () => {
    // nginx's plain port listens on 127.0.0.1 only; [::1] on the same port drops every SYN, so
    // a connect there would hang for minutes (far beyond the test timeout).
    const hole = await startBlackhole("::1", Number(new URL(ng.httpUrl).port));
    try {
      const stub = stubLookup([
        { address: "127.0.0.1", family: 4 },
        { address: "::1", family: 6 },
      ]);
      const port = new URL(ng.httpUrl).port;
      // Without racing, the preferred (IPv6) address is tried alone and never answers.
      await using plain = sessionWith({ lookup: stub.lookup }, ca);
      const stuck = await plain
        .get(`http://niquests.test:${port}/info`, { timeout: { connect: 300 } })
        .catch((e) => e);
      assert.ok(stuck instanceof ConnectTimeout, String(stuck));

      await settle();
      const [socketsBefore, timersBefore] = [sockets(), timers()];
      const s = sessionWith({ happyEyeballs: true, lookup: stub.lookup }, ca);
      const r = await s.get(`http://niquests.test:${port}/info`, {
        timeout: { connect: null, read: 10_000 },
      });
      assert.equal(r.statusCode, 200);
      assert.equal(parseInfo(r.text ?? "").remote_addr, "127.0.0.1");
      assert.deepEqual(r.connInfo?.destinationAddress, ["127.0.0.1", Number(port)]);
      assert.equal(typeof r.connInfo?.resolutionLatency, "number");
      assert.deepEqual(stub.asked.slice(-1), ["niquests.test"]);
      await s.close();
      await settle();
      // The losing attempt to [::1] was destroyed and the stagger timer cleared.
      assert.equal(sockets(), socketsBefore);
      assert.equal(timers(), timersBefore);
    } finally {
      hole.close();
    }
  });

  test("happy eyeballs prefers IPv6 when both families answer; disableIpv6/disableIpv4 filter", async () => {
    const stub = stubLookup([
      { address: "127.0.0.1", family: 4 },
      { address: "::1", family: 6 },
    ]);
    const url = `https://localhost:${ng.ports.ec}/info`;
    await using both = sessionWith({ happyEyeballs: 2, lookup: stub.lookup }, ca);
    assert.deepEqual((await both.get(url)).connInfo?.destinationAddress, ["::1", ng.ports.ec]);
    await using v4 = sessionWith({ happyEyeballs: true, disableIpv6: true, lookup: stub.lookup }, ca);
    const r4 = await v4.get(url);
    assert.deepEqual(r4.connInfo?.destinationAddress, ["127.0.0.1", ng.ports.ec]);
    assert.equal(parseInfo(r4.text ?? "").remote_addr, "127.0.0.1");
    await using v6 = sessionWith({ disableIpv4: true, lookup: stub.lookup }, ca);
    const r6 = await v6.get(url);
    assert.equal(parseInfo(r6.text ?? "").remote_addr, "::1");
    // A v4-only answer with IPv4 disabled leaves nothing to connect to.
    const only4 = stubLookup([{ address: "127.0.0.1", family: 4 }]);
    await using none = sessionWith({ disableIpv4: true, lookup: only4.lookup }, ca);
    const error = await none.get(url, { retries: false }).catch((e: unknown) => e);
    assert.ok(error instanceof ConnectionError, String(error));
    assert.match(error.message, /No IPv6 address/);
  });

  test("disableIpv6 / disableIpv4 with Node's own lookup, and an IP literal of a disabled family", async () => {
    await using v4 = new Session({ verify: ca, disableIpv6: true });
    const r = await v4.get(`${ng.url("ec")}/info`);
    assert.equal(parseInfo(r.text ?? "").remote_addr, "127.0.0.1");
    const literal = await v4.get(`${ng.url("ec", "::1")}/info`, { retries: false }).catch((e: unknown) => e);
    assert.ok(literal instanceof ConnectionError, String(literal));
    assert.match(literal.message, /IPv6 is disabled/);
    await using v6 = new Session({ verify: ca, disableIpv4: true, retries: false });
    const r6 = await v6.get(`${ng.url("ec", "::1")}/info`);
    assert.equal(parseInfo(r6.text ?? "").remote_addr, "::1");
    const blocked = await v6.get(`${ng.url("ec", "127.0.0.1")}/info`).catch((e: unknown) => e);
    assert.ok(blocked instanceof ConnectionError, String(blocked));
    assert.match(blocked.message, /IPv4 is disabled/);
  });

  test("the pool summary lists origins and each connection's state", async () => {
    await using s = new Session({ verify: ca });
    // Unread, the 8 MiB body keeps its exchange in flight (backpressure).
    const streamed = await s.get(`${ng.url("ec")}/big`, { stream: true });
    const text = String(s);
    assert.match(
      text,
      new RegExp(`https://localhost:${ng.ports.ec} \\(ca:${ca.replaceAll("/", "\\/")}\\): 1 connection`),
    );
    assert.match(text, /#1 active HTTP\/1\.1 TLSv1\.3 127\.0\.0\.1:\d+ served=0/);
    await streamed.load();
    assert.equal(streamed.content?.byteLength, BIG_BODY_BYTES);
    await s.get(`${ng.url("ec")}/info`);
    await s.get(`${ng.httpUrl}/info`);
    const later = String(s);
    assert.match(later, /#1 idle HTTP\/1\.1 TLSv1\.3 127\.0\.0\.1:\d+ served=2/);
    assert.match(
      later,
      new RegExp(`http://127\\.0\\.0\\.1:${new URL(ng.httpUrl).port}: 1 connection\\(s\\), 1 idle`),
    );
    assert.match(later, /^<Session>\n {2}http\+unix:\/\/ https:\/\/ http:\/\/ -> <HttpTransport>/);
    await s.close();
    assert.match(String(s), /^<Session \(closed\)>/);
  });

  test("diagnostics_channel: request and connection events, in order, with their payloads", async () => {
    // Closes from earlier tests' sessions must not land in this test's list.
    await settle();
    const events: Array<[string, Record<string, unknown>]> = [];
    const listeners = Object.values(CHANNELS).map((name) => {
      const fn = (message: unknown): void => {
        const payload = message as Record<string, unknown>;
        // Only this test's servers: another test's session closing late must not count.
        const where = String(payload.origin ?? (payload.request as { url?: URL } | undefined)?.url?.href);
        if (where.includes(`:${ng.ports.ec}`) || where.includes(`:${ng.ports.expired}`))
          events.push([name, payload]);
      };
      diagnostics.subscribe(name, fn);
      return [name, fn] as const;
    });
    try {
      const s = new Session({ verify: ca });
      const r = await s.get(`${ng.url("ec")}/info`);
      await s.close();
      await settle();
      assert.deepEqual(
        events.map(([name]) => name),
        [
          "niquests:request:start",
          "niquests:connection:connected",
          "niquests:request:headers",
          "niquests:request:end",
          "niquests:connection:closed",
        ],
      );
      const [start, connected, headers, end] = events.map(([, payload]) => payload) as Array<
        Record<string, unknown>
      >;
      assert.equal((start!.request as { url: URL }).url.href, `${ng.url("ec")}/info`);
      assert.equal(connected?.origin, `https://localhost:${ng.ports.ec} (ca:${ca})`);
      assert.equal((connected!.connection as { tlsVersion: string }).tlsVersion, "TLSv1.3");
      assert.equal((headers!.response as { status: number }).status, 200);
      assert.equal(headers?.connInfo, r.connInfo);
      assert.equal(end?.bodyBytes, r.content?.byteLength);
      assert.equal(end?.complete, true);

      events.length = 0;
      const s2 = new Session({ verify: ca, retries: false });
      const error = await s2.get(`${ng.url("expired")}/info`).catch((e: unknown) => e);
      await s2.close();
      assert.deepEqual(
        events.map(([name]) => name),
        ["niquests:request:start", "niquests:request:error"],
      );
      assert.equal(events[1]?.[1].error, error);
    } finally {
      for (const [name, fn] of listeners) diagnostics.unsubscribe(name, fn);
    }
  });
});
