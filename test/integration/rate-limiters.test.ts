import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { TokenBucketLimiter } from "../../src/hooks/rate-limiters.ts";
import { Session } from "../../src/session/session.ts";

test("TokenBucketLimiter paces real requests: a burst of `capacity`, then one per refill", async (t) => {
  const arrivals: number[] = [];
  const server = createServer((req, res) => {
    if (req.url !== "/warm-up") arrivals.push(performance.now());
    res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // Warm the client code up first so the first paced request is not slowed by a cold start.
  const warm = new Session();
  await warm.get(`${base}/warm-up`);
  await warm.close();

  const session = new Session({ hooks: new TokenBucketLimiter({ rate: 20, capacity: 2 }) });
  t.after(() => session.close());
  const started = performance.now();
  const responses = await Promise.all(Array.from({ length: 6 }, (_, i) => session.get(`${base}/${i}`)));
  assert.deepEqual(
    responses.map((r) => r.text),
    Array(6).fill("ok"),
  );

  // Two tokens at once, then one every 50 ms: the sixth request is due 200 ms after the start.
  // Only lower bounds: a slow machine may be late, never early.
  assert.equal(arrivals.length, 6);
  arrivals.sort((a, b) => a - b);
  const first = arrivals[0]!;
  assert.ok(arrivals[5]! - started >= 190, `6th sent ${arrivals[5]! - started} ms after the start`);
  assert.ok(arrivals[5]! - first >= 150, `6th arrived ${arrivals[5]! - first} ms after the 1st`);
  for (let k = 2; k < 6; k++) {
    const due = (k - 1) * 50;
    assert.ok(
      arrivals[k]! - started >= due - 10,
      `request ${k + 1} arrived before its token (due ${due} ms)`,
    );
  }
});
