/**
 * The pool with multiplexed connections: it learns per origin that connections multiplex (by
 * asking them, never by version), lets concurrent acquires wait for the handshake in flight,
 * opens a second connection only when the first is full, and never with a limit of one.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConnectionPool, type PoolableConnection } from "../../src/pool/connection-pool.ts";

class MuxConn implements PoolableConnection {
  inFlight = 0;
  closed = false;
  constructor(
    readonly label: string,
    readonly capacity: number,
    readonly multiplexed: boolean,
  ) {}
  isAvailable(): boolean {
    return !this.closed && this.inFlight < this.capacity;
  }
  isIdle(): boolean {
    return this.inFlight === 0;
  }
  hasExpired(): boolean {
    return false;
  }
  isClosed(): boolean {
    return this.closed;
  }
  claim(): void {
    assert.ok(this.isAvailable(), `${this.label} claimed while unavailable`);
    this.inFlight++;
  }
  close(): void {
    this.closed = true;
  }
  isMultiplexed(): boolean {
    return this.multiplexed;
  }
}

/** Connects settled by hand, in call order. */
function manual(capacity: number, multiplexed: boolean) {
  const pending: Array<{ resolve: (c: MuxConn) => void; reject: (e: unknown) => void }> = [];
  let count = 0;
  return {
    create: (): Promise<MuxConn> => new Promise((resolve, reject) => pending.push({ resolve, reject })),
    get connecting(): number {
      return pending.length;
    },
    succeed(): MuxConn {
      const next = pending.shift();
      assert.ok(next, "no connect in progress");
      const conn = new MuxConn(`c${count++}`, capacity, multiplexed);
      next.resolve(conn);
      return conn;
    },
    fail(error: unknown): void {
      const next = pending.shift();
      assert.ok(next, "no connect in progress");
      next.reject(error);
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("multiplexed origins", () => {
  test("acquires expecting multiplexing wait for the one handshake in flight", async () => {
    const p = new ConnectionPool<MuxConn>({ maxPerOrigin: 10, maxOrigins: 10 });
    const f = manual(100, true);
    const all = Array.from({ length: 5 }, () => p.acquire("a", f.create, null, true));
    await tick();
    assert.equal(f.connecting, 1, "only one connect for five concurrent acquires");
    const conn = f.succeed();
    const got = await Promise.all(all);
    assert.ok(got.every((c) => c === conn));
    assert.equal(conn.inFlight, 5);
  });

  test("when the handshake turns out not to multiplex, the waiters open their own connections", async () => {
    const p = new ConnectionPool<MuxConn>({ maxPerOrigin: 10, maxOrigins: 10 });
    const f = manual(1, false);
    const all = Array.from({ length: 3 }, () => p.acquire("a", f.create, null, true));
    await tick();
    assert.equal(f.connecting, 1);
    f.succeed();
    await tick();
    assert.equal(f.connecting, 2, "the two waiters each connect now");
    f.succeed();
    f.succeed();
    const got = await Promise.all(all);
    assert.equal(new Set(got).size, 3);
  });

  test("a failed handshake fails those who waited for it, not the next acquire", async () => {
    const p = new ConnectionPool<MuxConn>({ maxPerOrigin: 10, maxOrigins: 10 });
    const f = manual(100, true);
    const first = p.acquire("a", f.create, null, true);
    const joined = p.acquire("a", f.create, null, true);
    await tick();
    const boom = new Error("refused");
    f.fail(boom);
    await assert.rejects(first, (e) => e === boom);
    await assert.rejects(joined, (e) => e === boom);
    const later = p.acquire("a", f.create, null, true);
    await tick();
    assert.equal(f.connecting, 1);
    assert.equal(await Promise.all([later, Promise.resolve(f.succeed())]).then(([a, b]) => a === b), true);
  });

  test("a second connection opens only once the first is full; never with a limit of one", async () => {
    const open = new ConnectionPool<MuxConn>({ maxPerOrigin: 10, maxOrigins: 10 });
    const f = manual(2, true);
    const a = open.acquire("a", f.create, null, true);
    await tick();
    const c0 = f.succeed();
    await a;
    assert.equal(await open.acquire("a", f.create, null, true), c0);
    const third = open.acquire("a", f.create, null, true);
    await tick();
    assert.equal(f.connecting, 1, "c0 is full: a second connection opens");
    const c1 = f.succeed();
    assert.equal(await third, c1);

    const single = new ConnectionPool<MuxConn>({
      maxPerOrigin: 10,
      maxOrigins: 10,
      maxMultiplexedPerOrigin: 1,
    });
    const g = manual(2, true);
    const x = single.acquire("a", g.create, null, true);
    await tick();
    const only = g.succeed();
    await x;
    await single.acquire("a", g.create, null, true);
    const queued = single.acquire("a", g.create, null, true);
    await tick();
    assert.equal(g.connecting, 0, "full, but one connection is the limit: the request queues");
    only.inFlight--;
    single.release("a", only, g.create);
    assert.equal(await queued, only);
  });

  test("a connection that went away (GOAWAY) frees its place for a new one", async () => {
    const p = new ConnectionPool<MuxConn>({ maxPerOrigin: 10, maxOrigins: 10, maxMultiplexedPerOrigin: 1 });
    const f = manual(1, true);
    const a = p.acquire("a", f.create, null, true);
    await tick();
    const c0 = f.succeed();
    await a;
    const waiting = p.acquire("a", f.create, null, true);
    await tick();
    assert.equal(f.connecting, 0);
    c0.closed = true;
    p.release("a", c0, f.create);
    await tick();
    assert.equal(f.connecting, 1);
    const c1 = f.succeed();
    assert.equal(await waiting, c1);
  });
});
