import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, test } from "node:test";
import { ConnectionPool, type PoolableConnection } from "../../src/pool/connection-pool.ts";

/** A connection whose state the test drives: `capacity` 1 behaves like h1, more like h2. */
class FakeConn implements PoolableConnection {
  readonly label: string;
  readonly capacity: number;
  inFlight = 0;
  closed = false;
  expired = false;
  closeCalls = 0;
  /** Runs inside close(), like an engine that reports the close synchronously. */
  onClose: (() => void) | null = null;

  constructor(label: string, capacity = 1) {
    this.label = label;
    this.capacity = capacity;
  }
  isAvailable(): boolean {
    return !this.closed && this.inFlight < this.capacity;
  }
  isIdle(): boolean {
    return this.inFlight === 0;
  }
  hasExpired(_now: number): boolean {
    return this.expired;
  }
  isClosed(): boolean {
    return this.closed;
  }
  claim(): void {
    if (!this.isAvailable()) throw new Error(`${this.label} claimed while unavailable`);
    this.inFlight++;
  }
  /** One request finished. */
  finish(): void {
    assert.ok(this.inFlight > 0, `${this.label} finished with nothing in flight`);
    this.inFlight--;
  }
  close(): void {
    this.closeCalls++;
    if (this.closed) return;
    this.closed = true;
    this.onClose?.();
  }
}

/** A factory that resolves at once with numbered connections. */
function factory(prefix: string, capacity = 1) {
  const created: FakeConn[] = [];
  const create = async (): Promise<FakeConn> => {
    const conn = new FakeConn(`${prefix}${created.length}`, capacity);
    created.push(conn);
    return conn;
  };
  return { create, created };
}

/** A factory whose connects the test settles by hand, in call order. */
function manualFactory(prefix: string) {
  const pending: Array<{ resolve: (conn: FakeConn) => void; reject: (error: unknown) => void }> = [];
  let count = 0;
  const create = (): Promise<FakeConn> =>
    new Promise<FakeConn>((resolve, reject) => {
      pending.push({ resolve, reject });
    });
  const succeed = (): FakeConn => {
    const next = pending.shift();
    assert.ok(next, "no connect in progress");
    const conn = new FakeConn(`${prefix}${count++}`);
    next.resolve(conn);
    return conn;
  };
  const fail = (error: unknown): void => {
    const next = pending.shift();
    assert.ok(next, "no connect in progress");
    next.reject(error);
  };
  return { create, succeed, fail, pending };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Settles to "pending" when the promise has not settled after the microtask queue drained. */
async function state(promise: Promise<unknown>): Promise<"pending" | "fulfilled" | "rejected"> {
  let result: "pending" | "fulfilled" | "rejected" = "pending";
  promise.then(
    () => {
      result = "fulfilled";
    },
    () => {
      result = "rejected";
    },
  );
  await tick();
  return result;
}

/** The first origin's counters, without the per-connection details. */
function counts(p: ConnectionPool<FakeConn>): Record<string, unknown> | undefined {
  const first = p.describe()[0];
  if (!first) return undefined;
  const { details: _details, ...rest } = first;
  return rest;
}

const pool = (maxPerOrigin = 2, maxOrigins = 4) => new ConnectionPool<FakeConn>({ maxPerOrigin, maxOrigins });

describe("ConnectionPool: acquire and reuse", () => {
  test("the first acquire creates and claims a connection", async () => {
    const p = pool();
    const f = factory("a");
    const conn = await p.acquire("a", f.create, null);
    assert.equal(conn, f.created[0]);
    assert.equal(conn.inFlight, 1);
    assert.deepEqual(p.describe(), [
      {
        origin: "a",
        connections: 1,
        idle: 0,
        connecting: 0,
        waiting: 0,
        details: [{ state: "active", protocol: "unknown", served: 0, address: null, tlsVersion: null }],
      },
    ]);
  });

  test("a released idle connection is reused instead of creating another", async () => {
    const p = pool();
    const f = factory("a");
    const first = await p.acquire("a", f.create, null);
    first.finish();
    p.release("a", first, f.create);
    assert.equal(p.describe()[0]?.idle, 1);
    const second = await p.acquire("a", f.create, null);
    assert.equal(second, first);
    assert.equal(f.created.length, 1);
    assert.equal(second.inFlight, 1);
  });

  test("the most recently added available connection is preferred", async () => {
    const p = pool(3);
    const f = factory("a");
    const conns = await Promise.all([1, 2, 3].map(() => p.acquire("a", f.create, null)));
    // Release newest first so the release order cannot explain the choice.
    for (const conn of [...conns].reverse()) {
      conn.finish();
      p.release("a", conn, f.create);
    }
    assert.equal(await p.acquire("a", f.create, null), f.created[2]);
    assert.equal(await p.acquire("a", f.create, null), f.created[1]);
    assert.equal(f.created.length, 3);
  });

  test("a multiplexed connection is handed out until it is full", async () => {
    const p = pool(1);
    const f = factory("h2-", 2);
    const a = await p.acquire("a", f.create, null);
    const b = await p.acquire("a", f.create, null);
    assert.equal(a, b);
    assert.equal(a.inFlight, 2);
    const third = p.acquire("a", f.create, null);
    assert.equal(await state(third), "pending");
    assert.equal(f.created.length, 1);
  });

  test("closed and expired idle connections are dropped and closed at acquire", async () => {
    const p = pool(3);
    const f = factory("a");
    const conns = await Promise.all([1, 2, 3].map(() => p.acquire("a", f.create, null)));
    for (const conn of conns) {
      conn.finish();
      p.release("a", conn, f.create);
    }
    const [c0, c1, c2] = conns as [FakeConn, FakeConn, FakeConn];
    c2.expired = true;
    c1.closed = true; // closed behind the pool's back, never released
    const got = await p.acquire("a", f.create, null);
    assert.equal(got, c0);
    assert.equal(c2.closeCalls, 1);
    assert.equal(c1.closeCalls, 1);
    assert.equal(p.describe()[0]?.connections, 1);
  });

  test("an expired connection with requests in flight is kept", async () => {
    const p = pool(1);
    const f = factory("h2-", 2);
    const conn = await p.acquire("a", f.create, null);
    conn.expired = true;
    assert.equal(await p.acquire("a", f.create, null), conn);
    assert.equal(conn.closeCalls, 0);
  });

  test("origins are independent", async () => {
    const p = pool(1);
    const f = factory("x");
    const a = await p.acquire("a", f.create, null);
    const b = await p.acquire("b", f.create, null);
    assert.notEqual(a, b);
    assert.deepEqual(
      p.describe().map((d) => [d.origin, d.connections]),
      [
        ["a", 1],
        ["b", 1],
      ],
    );
  });
});

describe("ConnectionPool: waiting in line", () => {
  test("beyond maxPerOrigin acquirers wait, counting connects in progress", async () => {
    const p = pool(2);
    const m = manualFactory("a");
    const first = p.acquire("a", m.create, null);
    const second = p.acquire("a", m.create, null);
    const third = p.acquire("a", m.create, null);
    assert.equal(m.pending.length, 2);
    assert.deepEqual(counts(p), { origin: "a", connections: 0, idle: 0, connecting: 2, waiting: 1 });
    const c0 = m.succeed();
    m.succeed();
    assert.equal(await first, c0);
    await second;
    assert.equal(await state(third), "pending");
  });

  test("a released connection goes to waiters in FIFO order", async () => {
    const p = pool(1);
    const f = factory("a");
    const conn = await p.acquire("a", f.create, null);
    const order: string[] = [];
    const w1 = p.acquire("a", f.create, null).then((c) => order.push("w1") && c);
    const w2 = p.acquire("a", f.create, null).then((c) => order.push("w2") && c);
    conn.finish();
    p.release("a", conn, f.create);
    assert.equal(await w1, conn);
    assert.equal(await state(w2), "pending");
    conn.finish();
    p.release("a", conn, f.create);
    assert.equal(await w2, conn);
    assert.deepEqual(order, ["w1", "w2"]);
    assert.equal(f.created.length, 1);
  });

  test("one release of a multiplexed connection serves as many waiters as it has room for", async () => {
    const p = pool(1);
    const f = factory("h2-", 3);
    const conn = await p.acquire("a", f.create, null);
    await p.acquire("a", f.create, null);
    await p.acquire("a", f.create, null);
    const waiters = [1, 2, 3].map(() => p.acquire("a", f.create, null));
    conn.finish();
    conn.finish();
    p.release("a", conn, f.create);
    assert.deepEqual(await Promise.all(waiters.map(state)), ["fulfilled", "fulfilled", "pending"]);
    assert.equal(conn.inFlight, 3);
  });

  test("a closed connection's slot goes to the next waiter as a new connection", async () => {
    const p = pool(1);
    const f = factory("a");
    const conn = await p.acquire("a", f.create, null);
    const waiter = p.acquire("a", f.create, null);
    conn.close();
    p.release("a", conn, f.create);
    const fresh = await waiter;
    assert.notEqual(fresh, conn);
    assert.equal(f.created.length, 2);
    assert.deepEqual(counts(p), { origin: "a", connections: 1, idle: 0, connecting: 0, waiting: 0 });
  });

  test("releasing a closed connection twice creates one replacement", async () => {
    const p = pool(1);
    const f = factory("a");
    const conn = await p.acquire("a", f.create, null);
    const w1 = p.acquire("a", f.create, null);
    const w2 = p.acquire("a", f.create, null);
    conn.close();
    p.release("a", conn, f.create);
    p.release("a", conn, f.create);
    await w1;
    assert.equal(await state(w2), "pending");
    assert.equal(f.created.length, 2);
  });

  test("releasing a closed connection with nobody waiting just forgets it", async () => {
    const p = pool(1);
    const f = factory("a");
    const conn = await p.acquire("a", f.create, null);
    conn.close();
    p.release("a", conn, f.create);
    await tick();
    assert.equal(f.created.length, 1);
    assert.equal(p.describe()[0]?.connections, 0);
  });

  test("the replacement for a waiter comes from the waiter's own factory", async () => {
    // The releaser's factory may belong to a request that was aborted; it must not decide for others.
    const p = pool(1);
    const owner = factory("owner");
    const conn = await p.acquire("a", owner.create, null);
    const mine = factory("mine");
    const waiter = p.acquire("a", mine.create, null);
    conn.close();
    p.release("a", conn, () => Promise.reject(new Error("the owner's request was aborted")));
    assert.equal(await waiter, mine.created[0]);
  });

  test("a failed connect rejects its acquirer; the next waiter tries its own", async () => {
    const p = pool(1);
    const first = manualFactory("first");
    const acquire1 = p.acquire("a", first.create, null);
    const second = factory("second");
    const acquire2 = p.acquire("a", second.create, null);
    const third = factory("third");
    const acquire3 = p.acquire("a", third.create, null);
    const boom = new Error("connect refused");
    first.fail(boom);
    await assert.rejects(acquire1, (error) => error === boom);
    assert.equal(await acquire2, second.created[0]);
    assert.equal(await state(acquire3), "pending");
    assert.equal(third.created.length, 0);
  });

  test("connect failures cascade one waiter at a time, each with its own error", async () => {
    const p = pool(1);
    const errors = [new Error("e0"), new Error("e1"), new Error("e2")];
    const acquires = errors.map((error) => p.acquire("a", () => Promise.reject(error), null));
    const results = await Promise.allSettled(acquires);
    assert.deepEqual(
      results.map((r) => (r.status === "rejected" ? r.reason : null)),
      errors,
    );
    assert.deepEqual(counts(p), { origin: "a", connections: 0, idle: 0, connecting: 0, waiting: 0 });
  });
});

describe("ConnectionPool: aborting", () => {
  test("an aborted waiter leaves the line with the signal's reason; later releases skip it", async () => {
    const p = pool(1);
    const f = factory("a");
    const conn = await p.acquire("a", f.create, null);
    const controller = new AbortController();
    const aborted = p.acquire("a", f.create, controller.signal);
    const next = p.acquire("a", f.create, null);
    assert.equal(p.describe()[0]?.waiting, 2);
    const reason = new Error("user gave up");
    controller.abort(reason);
    await assert.rejects(aborted, (error) => error === reason);
    assert.equal(p.describe()[0]?.waiting, 1);
    conn.finish();
    p.release("a", conn, f.create);
    assert.equal(await next, conn);
    assert.equal(conn.inFlight, 1);
  });

  test("an already aborted signal rejects at once, without claiming anything", async () => {
    const p = pool(1);
    const f = factory("a");
    const conn = await p.acquire("a", f.create, null);
    const reason = new Error("too late");
    const signal = AbortSignal.abort(reason);
    await assert.rejects(p.acquire("a", f.create, signal), (error) => error === reason);
    assert.equal(p.describe()[0]?.waiting, 0);
    conn.finish();
    p.release("a", conn, f.create);
    await assert.rejects(p.acquire("a", f.create, signal), (error) => error === reason);
    assert.equal(conn.inFlight, 0);
  });

  test("a served waiter's abort listener is removed", async () => {
    const p = pool(1);
    const f = factory("a");
    const conn = await p.acquire("a", f.create, null);
    const controller = new AbortController();
    const waiter = p.acquire("a", f.create, controller.signal);
    assert.equal(getEventListeners(controller.signal, "abort").length, 1);
    conn.finish();
    p.release("a", conn, f.create);
    assert.equal(await waiter, conn);
    assert.equal(getEventListeners(controller.signal, "abort").length, 0);
    controller.abort();
    assert.equal(p.describe()[0]?.waiting, 0);
  });
});

describe("ConnectionPool: releasing what the pool does not know", () => {
  test("a connection for an unknown origin is closed", () => {
    const p = pool();
    const stray = new FakeConn("stray");
    p.release("nowhere", stray, factory("x").create);
    assert.equal(stray.closed, true);
    assert.deepEqual(p.describe(), []);
  });

  test("an untracked connection for a known origin is closed, not given to a waiter", async () => {
    const p = pool(1);
    const f = factory("a");
    await p.acquire("a", f.create, null);
    const waiter = p.acquire("a", f.create, null);
    const stray = new FakeConn("stray");
    p.release("a", stray, f.create);
    assert.equal(stray.closed, true);
    assert.equal(await state(waiter), "pending");
    assert.deepEqual(counts(p), { origin: "a", connections: 1, idle: 0, connecting: 0, waiting: 1 });
  });
});

describe("ConnectionPool: close", () => {
  test("close() rejects every waiter and closes every connection", async () => {
    const p = pool(1);
    const f = factory("x");
    const a = await p.acquire("a", f.create, null);
    const b = await p.acquire("b", f.create, null);
    b.finish();
    p.release("b", b, f.create);
    const waiters = [p.acquire("a", f.create, null), p.acquire("a", f.create, null)];
    p.close();
    for (const waiter of waiters) await assert.rejects(waiter, /closed/);
    assert.equal(a.closed, true);
    assert.equal(b.closed, true);
    assert.deepEqual(p.describe(), []);
  });

  test("acquire after close rejects; release after close closes the connection", async () => {
    const p = pool(1);
    const f = factory("a");
    const conn = await p.acquire("a", f.create, null);
    p.close();
    await assert.rejects(p.acquire("a", f.create, null), /closed/);
    assert.equal(f.created.length, 1);
    p.release("a", conn, f.create);
    assert.equal(conn.closed, true);
  });

  test("a connect that finishes after close() is closed and its acquirer rejected", async () => {
    const p = pool(1);
    const m = manualFactory("a");
    const acquiring = p.acquire("a", m.create, null);
    p.close();
    const late = m.succeed();
    await assert.rejects(acquiring, /closed/);
    assert.equal(late.closed, true);
  });

  test("connections that report their close synchronously are all closed, none replaced", async () => {
    const p = pool(2);
    const f = factory("a");
    const conns = [await p.acquire("a", f.create, null), await p.acquire("a", f.create, null)];
    for (const conn of conns) conn.onClose = () => p.release("a", conn, f.create);
    const waiter = p.acquire("a", f.create, null);
    p.close();
    await assert.rejects(waiter, /closed/);
    await tick();
    assert.deepEqual(
      conns.map((c) => c.closed),
      [true, true],
    );
    assert.equal(f.created.length, 2);
  });
});

describe("ConnectionPool: origins beyond maxOrigins", () => {
  /** Acquires one connection for `key` and lets it idle. */
  async function idleOrigin(p: ConnectionPool<FakeConn>, key: string): Promise<FakeConn> {
    const conn = await p.acquire(key, factory(key).create, null);
    conn.finish();
    p.release(key, conn, factory(key).create);
    return conn;
  }

  test("the least recently used idle origin is evicted and its connections closed", async () => {
    const p = pool(1, 2);
    const a = await idleOrigin(p, "a");
    const b = await idleOrigin(p, "b");
    await idleOrigin(p, "c");
    assert.equal(a.closed, true);
    assert.equal(b.closed, false);
    assert.deepEqual(
      p.describe().map((d) => d.origin),
      ["b", "c"],
    );
  });

  test("touching an origin makes it the most recently used", async () => {
    const p = pool(1, 2);
    const a = await idleOrigin(p, "a");
    const b = await idleOrigin(p, "b");
    assert.equal(await idleOrigin(p, "a"), a);
    await idleOrigin(p, "c");
    assert.equal(b.closed, true);
    assert.equal(a.closed, false);
    assert.deepEqual(
      p.describe().map((d) => d.origin),
      ["a", "c"],
    );
  });

  test("origins with requests in flight or connects in progress are skipped", async () => {
    const p = pool(1, 3);
    const busy = await p.acquire("busy", factory("busy").create, null);
    const m = manualFactory("connecting");
    const connecting = p.acquire("connecting", m.create, null);
    const idle = await idleOrigin(p, "idle");
    await idleOrigin(p, "new");
    assert.equal(idle.closed, true, "the only idle origin is the one evicted");
    assert.equal(busy.closed, false);
    assert.deepEqual(
      p.describe().map((d) => d.origin),
      ["busy", "connecting", "new"],
    );
    const late = m.succeed();
    assert.equal(await connecting, late);
  });

  test("busy origins stay over the limit until a later eviction finds them idle", async () => {
    const p = pool(1, 1);
    const a = await p.acquire("a", factory("a").create, null);
    await idleOrigin(p, "b");
    assert.equal(p.describe().length, 2);
    a.finish();
    p.release("a", a, factory("a").create);
    await idleOrigin(p, "c");
    assert.equal(a.closed, true);
    assert.deepEqual(
      p.describe().map((d) => d.origin),
      ["c"],
    );
  });

  test("a new origin is kept, and limited, even when every other origin is busy", async () => {
    const p = pool(1, 1);
    await p.acquire("a", factory("a").create, null);
    const f = factory("b");
    const first = await p.acquire("b", f.create, null);
    const second = p.acquire("b", f.create, null);
    assert.equal(await state(second), "pending");
    assert.equal(f.created.length, 1, "maxPerOrigin holds for the new origin");
    first.finish();
    p.release("b", first, f.create);
    assert.equal(await second, first, "the connection is pooled, not dropped");
    assert.equal(first.closed, false);
  });
});

describe("ConnectionPool: concurrency", () => {
  test("50 acquirers with maxPerOrigin 3 never exceed 3 live connections", async () => {
    const p = pool(3);
    const f = factory("a");
    let peakLive = 0;
    let peakInFlight = 0;
    const live = (): number => f.created.filter((c) => !c.closed).length;
    const inFlight = (): number => f.created.reduce((n, c) => n + c.inFlight, 0);
    const work = async (i: number): Promise<void> => {
      const conn = await p.acquire("a", f.create, null);
      peakLive = Math.max(peakLive, live());
      peakInFlight = Math.max(peakInFlight, inFlight());
      assert.equal(conn.inFlight, 1, "a connection serves one request at a time");
      for (let t = i % 3; t >= 0; t--) await tick();
      conn.finish();
      if (i % 7 === 0) conn.close(); // the server did not keep this one alive
      p.release("a", conn, f.create);
    };
    await Promise.all(Array.from({ length: 50 }, (_, i) => work(i)));
    assert.ok(peakLive <= 3, `peak live connections ${peakLive}`);
    assert.equal(peakInFlight, 3, "the limit is actually reached");
    assert.ok(f.created.length > 3, "closed connections were replaced");
    assert.equal(p.describe()[0]?.waiting, 0);
    assert.equal(p.describe()[0]?.connecting, 0);
  });
});
