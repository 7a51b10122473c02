import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mergeHooks } from "../../src/hooks/hooks.ts";
import { LeakyBucketLimiter, TokenBucketLimiter } from "../../src/hooks/rate-limiters.ts";
import { PreparedRequest } from "../../src/models/prepared-request.ts";
import { Session } from "../../src/session/session.ts";
import { MockTransport } from "../../src/transport/mock-transport.ts";

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

interface FakeTimer {
  at: number;
  resolve: () => void;
}

/** A hand-driven clock: sleeps only end when the test moves time past them. */
class FakeClock {
  time = 0;
  /** Every delay asked of `sleep`, in call order. */
  readonly sleeps: number[] = [];
  #timers: FakeTimer[] = [];

  readonly now = (): number => this.time;

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      this.sleeps.push(ms);
      const timer = { at: this.time + ms, resolve };
      this.#timers.push(timer);
      signal?.addEventListener(
        "abort",
        () => {
          this.#timers = this.#timers.filter((t) => t !== timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });

  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time to `t`, firing due timers in time order and letting their callers run. */
  async advanceTo(t: number): Promise<void> {
    for (;;) {
      await settle();
      const due = this.#timers.filter((x) => x.at <= t).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.#timers = this.#timers.filter((x) => x !== due);
      this.time = due.at;
      due.resolve();
    }
    this.time = t;
    await settle();
  }
}

/** Starts `acquire` calls now and logs [id, time] as each one is released. */
function track(clock: FakeClock, calls: Array<Promise<void>>): Array<[number, number]> {
  const released: Array<[number, number]> = [];
  calls.forEach((call, id) => {
    call.then(() => released.push([id, clock.time]));
  });
  return released;
}

function prepared(url: string): PreparedRequest {
  const request = new PreparedRequest();
  request.setUrl(new URL(url));
  return request;
}

const timeouts = () => process.getActiveResourcesInfo().filter((name) => name === "Timeout").length;

describe("options", () => {
  for (const rate of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "10", undefined]) {
    test(`rate ${String(rate)} is a TypeError`, () => {
      assert.throws(() => new LeakyBucketLimiter({ rate } as never), TypeError);
      assert.throws(() => new TokenBucketLimiter({ rate } as never), TypeError);
    });
  }

  for (const capacity of [0, 0.5, -2, Number.NaN, Number.POSITIVE_INFINITY, "2"]) {
    test(`capacity ${String(capacity)} is a TypeError`, () => {
      assert.throws(() => new TokenBucketLimiter({ rate: 1, capacity } as never), TypeError);
    });
  }

  test("unknown keys, wrong types and non-objects are TypeErrors", () => {
    assert.throws(() => new TokenBucketLimiter({ rate: 1, burst: 2 } as never), /Unknown .* "burst"/);
    assert.throws(() => new LeakyBucketLimiter({ rate: 1, capacity: 2 } as never), /Unknown .* "capacity"/);
    assert.throws(() => new LeakyBucketLimiter({ rate: 1, perHost: "yes" } as never), TypeError);
    assert.throws(() => new LeakyBucketLimiter({ rate: 1, now: 5 } as never), TypeError);
    assert.throws(() => new TokenBucketLimiter({ rate: 1, sleep: true } as never), TypeError);
    assert.throws(() => new LeakyBucketLimiter(null as never), TypeError);
  });

  test("getters report the settings; capacity defaults to max(1, rate)", () => {
    const leaky = new LeakyBucketLimiter({ rate: 2.5, perHost: true });
    assert.equal(leaky.rate, 2.5);
    assert.equal(leaky.perHost, true);
    assert.equal(new TokenBucketLimiter({ rate: 4 }).capacity, 4);
    assert.equal(new TokenBucketLimiter({ rate: 0.5 }).capacity, 1);
    assert.equal(new TokenBucketLimiter({ rate: 4, capacity: 7 }).capacity, 7);
    assert.equal(new TokenBucketLimiter({ rate: 4 }).perHost, false);
  });
});

describe("as Session hooks", () => {
  test("a limiter is a Hooks object that mergeHooks and Session accept", () => {
    const limiter = new TokenBucketLimiter({ rate: 10, capacity: 20 });
    assert.deepEqual(Object.keys(limiter), ["preRequest"]);
    const onResponse = () => undefined;
    const table = mergeHooks(limiter, { response: [onResponse] });
    assert.deepEqual(table.preRequest, [limiter.preRequest]);
    assert.deepEqual(table.response, [onResponse]);
    const session = new Session({ hooks: new LeakyBucketLimiter({ rate: 1 }) });
    assert.equal(session.hooks.preRequest.length, 1);
  });

  test("preRequest is bound, reserves synchronously and never replaces the request", async () => {
    const clock = new FakeClock();
    const { preRequest } = new LeakyBucketLimiter({ rate: 10, now: clock.now, sleep: clock.sleep });
    const request = prepared("http://a.test/");
    const calls = [preRequest(request), preRequest(request), preRequest(request)];
    // No await yet: the slots were already handed out in call order.
    assert.deepEqual(clock.sleeps, [100, 200]);
    await clock.advanceTo(200);
    assert.deepEqual(await Promise.all(calls), [undefined, undefined, undefined]);
  });

  test("20 concurrent requests reach the transport 1000/rate ms apart", async () => {
    const clock = new FakeClock();
    const limiter = new LeakyBucketLimiter({ rate: 20, now: clock.now, sleep: clock.sleep });
    const session = new Session({ hooks: limiter });
    const arrivals: number[] = [];
    const mock = new MockTransport(() => {
      arrivals.push(clock.time);
      return { status: 200, body: "ok" };
    });
    session.mount("http://", mock);
    const responses = Array.from({ length: 20 }, (_, i) => session.get(`http://api.test/${i}`));
    await clock.advanceTo(949);
    assert.equal(arrivals.length, 19, "the 20th request must still be waiting at 949 ms");
    await clock.advanceTo(950);
    const statuses = (await Promise.all(responses)).map((r) => r.statusCode);
    assert.deepEqual(statuses, Array(20).fill(200));
    assert.deepEqual(
      arrivals,
      Array.from({ length: 20 }, (_, i) => i * 50),
    );
  });
});

describe("LeakyBucketLimiter", () => {
  test("concurrent callers are released one interval apart, in call order", async () => {
    const clock = new FakeClock();
    const limiter = new LeakyBucketLimiter({ rate: 10, now: clock.now, sleep: clock.sleep });
    const released = track(
      clock,
      Array.from({ length: 5 }, () => limiter.acquire()),
    );
    await clock.advanceTo(99);
    assert.deepEqual(released, [[0, 0]]);
    await clock.advanceTo(400);
    assert.deepEqual(released, [
      [0, 0],
      [1, 100],
      [2, 200],
      [3, 300],
      [4, 400],
    ]);
  });

  test("a request waits only for what is left of the interval; an idle limiter does not wait", async () => {
    const clock = new FakeClock();
    const limiter = new LeakyBucketLimiter({ rate: 10, now: clock.now, sleep: clock.sleep });
    await limiter.acquire();
    await clock.advanceTo(30);
    const second = limiter.acquire();
    assert.deepEqual(clock.sleeps, [70]);
    await clock.advanceTo(100);
    await second;
    await clock.advanceTo(5000);
    await limiter.acquire();
    void limiter.acquire();
    assert.deepEqual(clock.sleeps, [70, 100], "no burst after idling: the second one waits again");
  });

  test("perHost keys buckets by URL host (name and non-default port), case-insensitively", async () => {
    const clock = new FakeClock();
    const limiter = new LeakyBucketLimiter({ rate: 1, perHost: true, now: clock.now, sleep: clock.sleep });
    void limiter.acquire({ url: "http://a.test/x" });
    void limiter.acquire({ url: "http://b.test/x" });
    void limiter.acquire({ url: new URL("http://a.test:8080/x") });
    assert.deepEqual(clock.sleeps, []);
    // Same host over https (default port): same server, same bucket.
    void limiter.preRequest(prepared("https://A.TEST/other?q=1"));
    assert.deepEqual(clock.sleeps, [1000]);
    void limiter.preRequest(prepared("http://a.test:8080/y"));
    assert.deepEqual(clock.sleeps, [1000, 1000]);
    await assert.rejects(limiter.acquire(), /needs a url/);
  });

  test("without perHost every host shares one bucket", () => {
    const clock = new FakeClock();
    const limiter = new LeakyBucketLimiter({ rate: 1, now: clock.now, sleep: clock.sleep });
    void limiter.preRequest(prepared("http://a.test/"));
    void limiter.preRequest(prepared("http://b.test/"));
    void limiter.acquire();
    assert.deepEqual(clock.sleeps, [1000, 2000]);
  });

  test("forgetting idle hosts keeps busy hosts spaced", async () => {
    const clock = new FakeClock();
    const limiter = new LeakyBucketLimiter({ rate: 10, perHost: true, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 3; i++) void limiter.acquire({ url: "http://busy.test/" });
    for (let i = 0; i < 100; i++) void limiter.acquire({ url: `http://h${i}.test/` });
    await clock.advanceTo(150);
    // New hosts past the sweep threshold make the limiter drop idle buckets.
    for (let i = 100; i < 300; i++) void limiter.acquire({ url: `http://h${i}.test/` });
    void limiter.acquire({ url: "http://h0.test/" });
    assert.deepEqual(clock.sleeps, [100, 200]);
    void limiter.acquire({ url: "http://busy.test/" });
    assert.deepEqual(clock.sleeps, [100, 200, 150]);
  });
});

describe("TokenBucketLimiter", () => {
  test("a full bucket lets `capacity` through, then one per refill", async () => {
    const clock = new FakeClock();
    const limiter = new TokenBucketLimiter({ rate: 10, capacity: 3, now: clock.now, sleep: clock.sleep });
    const released = track(
      clock,
      Array.from({ length: 5 }, () => limiter.acquire()),
    );
    await clock.advanceTo(0);
    assert.deepEqual(released, [
      [0, 0],
      [1, 0],
      [2, 0],
    ]);
    assert.deepEqual(clock.sleeps, [100, 200]);
    await clock.advanceTo(200);
    assert.deepEqual(released.slice(3), [
      [3, 100],
      [4, 200],
    ]);
  });

  test("tokens refill at `rate` per second", async () => {
    const clock = new FakeClock();
    const limiter = new TokenBucketLimiter({ rate: 10, capacity: 3, now: clock.now, sleep: clock.sleep });
    await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    await clock.advanceTo(250);
    // 2.5 tokens: two go now, the third waits for the half token still missing.
    void limiter.acquire();
    void limiter.acquire();
    assert.deepEqual(clock.sleeps, []);
    void limiter.acquire();
    assert.deepEqual(clock.sleeps, [50]);
  });

  test("an idle bucket holds at most `capacity` tokens", async () => {
    const clock = new FakeClock();
    const limiter = new TokenBucketLimiter({ rate: 10, capacity: 3, now: clock.now, sleep: clock.sleep });
    await limiter.acquire();
    await clock.advanceTo(60_000);
    for (let i = 0; i < 5; i++) void limiter.acquire();
    assert.deepEqual(clock.sleeps, [100, 200]);
  });

  test("capacity 1 behaves like the leaky bucket", () => {
    const clock = new FakeClock();
    const limiter = new TokenBucketLimiter({ rate: 4, capacity: 1, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 4; i++) void limiter.acquire();
    assert.deepEqual(clock.sleeps, [250, 500, 750]);
  });
});

describe("cancellation through acquire({ signal })", () => {
  test("an aborted signal rejects with its reason and takes no slot", async () => {
    const clock = new FakeClock();
    const limiter = new LeakyBucketLimiter({ rate: 1, now: clock.now, sleep: clock.sleep });
    const reason = new Error("gone");
    await assert.rejects(limiter.acquire({ signal: AbortSignal.abort(reason) }), (e) => e === reason);
    await limiter.acquire();
    assert.deepEqual(clock.sleeps, []);
  });

  test("aborting the last waiter stops its timer and gives its slot back", async () => {
    const clock = new FakeClock();
    const limiter = new LeakyBucketLimiter({ rate: 10, now: clock.now, sleep: clock.sleep });
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire({ signal: controller.signal });
    await clock.advanceTo(10);
    controller.abort(new Error("stop"));
    await assert.rejects(waiting, /stop/);
    assert.equal(clock.pending, 0);
    void limiter.acquire();
    assert.deepEqual(clock.sleeps, [100, 90]);
  });

  test("aborting a waiter in the middle of the queue never lets later ones go early", async () => {
    const clock = new FakeClock();
    const limiter = new TokenBucketLimiter({ rate: 10, capacity: 1, now: clock.now, sleep: clock.sleep });
    await limiter.acquire();
    const controller = new AbortController();
    const middle = limiter.acquire({ signal: controller.signal });
    const released = track(clock, [limiter.acquire()]);
    controller.abort();
    await assert.rejects(middle, { name: "AbortError" });
    void limiter.acquire();
    assert.deepEqual(clock.sleeps, [100, 200, 300]);
    await clock.advanceTo(199);
    assert.deepEqual(released, []);
    await clock.advanceTo(200);
    assert.deepEqual(released, [[0, 200]]);
  });
});

describe("real timers", () => {
  test("no timer while tokens are free, none left once the queue drains", async () => {
    const before = timeouts();
    // 50 ms a token: no token can refill between these synchronous calls, however loaded the box.
    const limiter = new TokenBucketLimiter({ rate: 20, capacity: 2 });
    const burst = [limiter.acquire(), limiter.acquire()];
    assert.equal(timeouts(), before);
    const queued = [limiter.acquire(), limiter.acquire(), limiter.acquire()];
    assert.equal(timeouts(), before + 3);
    await Promise.all([...burst, ...queued]);
    assert.equal(timeouts(), before);
  });

  test("aborting a real wait clears its timer at once", async () => {
    const before = timeouts();
    const limiter = new LeakyBucketLimiter({ rate: 0.001 });
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire({ signal: controller.signal });
    assert.equal(timeouts(), before + 1);
    controller.abort(new Error("cancelled"));
    await assert.rejects(waiting, /cancelled/);
    assert.equal(timeouts(), before);
  });
});
