/**
 * Happy-eyeballs races that fail: every address refused, the connect timeout or an abort while
 * all attempts hang. None may leave a socket or a timer behind.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConnectionError, ConnectTimeout, Session } from "../../src/index.ts";
import type { LookupAddress } from "../../src/net/happy-eyeballs.ts";
import { HttpTransport } from "../../src/transport/http-transport.ts";
import { handles, settle, unusedPort } from "../support/open-handles.ts";
import { startBlackhole } from "./blackhole.ts";

function racing(addresses: LookupAddress[]): Session {
  const s = new Session({ retries: false });
  s.mount("http://", new HttpTransport({ happyEyeballs: 3, lookup: async () => addresses }));
  return s;
}

describe("happy eyeballs failures", () => {
  test("every address refused: the last error, nothing left open", async () => {
    const port = await unusedPort();
    const s = racing([
      { address: "::1", family: 6 },
      { address: "127.0.0.1", family: 4 },
      { address: "127.0.0.2", family: 4 },
    ]);
    await settle();
    const before = handles();
    const error = await s.get(`http://multi.test:${port}/`).catch((e: unknown) => e);
    assert.ok(error instanceof ConnectionError, String(error));
    assert.equal((error.cause as NodeJS.ErrnoException).code, "ECONNREFUSED");
    assert.match(error.message, /127\.0\.0\.2/);
    await settle();
    assert.deepEqual(handles(), before);
    await s.close();
  });

  test("all attempts hanging: the connect timeout ends the race, nothing left open", async () => {
    const first = await startBlackhole("127.0.0.2");
    const second = await startBlackhole("127.0.0.3", first.port);
    try {
      const s = racing([
        { address: "127.0.0.2", family: 4 },
        { address: "127.0.0.3", family: 4 },
      ]);
      await settle();
      const before = handles();
      const error = await s
        .get(`http://multi.test:${first.port}/`, { timeout: { connect: 400, read: 5000 } })
        .catch((e: unknown) => e);
      assert.ok(error instanceof ConnectTimeout, String(error));
      await settle();
      assert.deepEqual(handles(), before);

      const reason = new Error("given up");
      const controller = new AbortController();
      setTimeout(() => controller.abort(reason), 300);
      await assert.rejects(
        s.get(`http://multi.test:${first.port}/`, { signal: controller.signal, timeout: null }),
        (e) => e === reason,
      );
      await settle();
      assert.deepEqual(handles(), before);
      await s.close();
    } finally {
      first.close();
      second.close();
    }
  });
});
