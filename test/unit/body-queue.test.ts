import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { recordedBodyQueue as recorded } from "../support/recorded-body-queue.ts";

const KIB = 1024;
const HIGH_WATER_MARK = 256 * KIB;

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (chunk: Uint8Array | null): string | null => (chunk ? new TextDecoder().decode(chunk) : null);

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await tick();
  return done;
}

describe("BodyQueue: reading", () => {
  test("buffered chunks are read in order, and `buffered` counts unread bytes", async () => {
    const { queue, calls } = recorded();
    queue.push(bytes("ab"));
    queue.push(bytes("cde"));
    queue.push(bytes("f"));
    assert.equal(queue.buffered, 6);
    assert.equal(text(await queue.read()), "ab");
    assert.equal(queue.buffered, 4);
    queue.push(bytes("gh"));
    assert.equal(text(await queue.read()), "cde");
    assert.equal(text(await queue.read()), "f");
    assert.equal(text(await queue.read()), "gh");
    assert.equal(queue.buffered, 0);
    assert.deepEqual(calls, []);
  });

  test("a pending read is answered by the next push, bracketed by waiting(true/false)", async () => {
    const { queue, calls } = recorded();
    const pending = queue.read();
    assert.deepEqual(calls, ["waiting:true"]);
    assert.equal(await settled(pending), false);
    const chunk = bytes("hello");
    queue.push(chunk);
    assert.equal(await pending, chunk);
    assert.equal(queue.buffered, 0, "handed over, never buffered");
    assert.deepEqual(calls, ["waiting:true", "waiting:false"]);
  });

  test("empty chunks are ignored and do not answer a pending read", async () => {
    const { queue } = recorded();
    queue.push(new Uint8Array(0));
    assert.equal(queue.buffered, 0);
    const pending = queue.read();
    queue.push(new Uint8Array(0));
    assert.equal(await settled(pending), false);
    queue.push(bytes("x"));
    assert.equal(text(await pending), "x");
  });

  test("a second read while one is pending rejects; the first still gets its chunk", async () => {
    const { queue, calls } = recorded();
    const first = queue.read();
    await assert.rejects(queue.read(), /Concurrent reads/);
    queue.push(bytes("x"));
    assert.equal(text(await first), "x");
    assert.deepEqual(calls, ["waiting:true", "waiting:false"]);
  });
});

describe("BodyQueue: backpressure", () => {
  const chunk = (): Uint8Array => new Uint8Array(64 * KIB);

  test("pause fires once, on the push that takes the buffer above 256 KiB", () => {
    const { queue, count } = recorded();
    for (let i = 0; i < 4; i++) queue.push(chunk());
    assert.equal(queue.buffered, HIGH_WATER_MARK);
    assert.equal(count("pause"), 0, "exactly at the mark is not above it");
    queue.push(new Uint8Array(1));
    assert.equal(count("pause"), 1);
    queue.push(chunk());
    queue.push(chunk());
    assert.equal(count("pause"), 1, "not again while paused");
  });

  test("resume fires once, when reads bring the buffer down to half", async () => {
    const { queue, calls, count } = recorded();
    for (let i = 0; i < 5; i++) queue.push(chunk()); // 320 KiB
    assert.deepEqual(calls, ["pause"]);
    await queue.read(); // 256 KiB
    await queue.read(); // 192 KiB
    assert.equal(count("resume"), 0);
    await queue.read(); // 128 KiB: exactly half
    assert.equal(queue.buffered, HIGH_WATER_MARK / 2);
    assert.deepEqual(calls, ["pause", "resume"]);
    await queue.read();
    await queue.read();
    assert.equal(count("resume"), 1);
  });

  test("resume waits for the half mark, not just any read", async () => {
    const { queue, count } = recorded();
    queue.push(new Uint8Array(HIGH_WATER_MARK / 2 + 1));
    queue.push(new Uint8Array(HIGH_WATER_MARK / 2)); // 256 KiB + 1: paused
    assert.equal(count("pause"), 1);
    queue.push(new Uint8Array(1));
    await queue.read(); // 128 KiB + 1 left: still above half
    assert.equal(count("resume"), 0);
    await queue.read(); // 1 byte left
    assert.equal(count("resume"), 1);
  });

  test("pausing again after a resume works", async () => {
    const { queue, calls } = recorded();
    queue.push(new Uint8Array(HIGH_WATER_MARK + 1));
    await queue.read();
    queue.push(new Uint8Array(HIGH_WATER_MARK + 1));
    assert.deepEqual(calls, ["pause", "resume", "pause"]);
  });
});

describe("BodyQueue: end and trailers", () => {
  test("after end, buffered chunks are still read, then null for good", async () => {
    const { queue, calls } = recorded();
    queue.push(bytes("a"));
    queue.end();
    assert.equal(queue.complete, true);
    assert.equal(text(await queue.read()), "a");
    assert.equal(await queue.read(), null);
    assert.equal(await queue.read(), null);
    assert.deepEqual(calls, [], "nothing to cancel or wait for");
  });

  test("end answers a pending read with null", async () => {
    const { queue, calls } = recorded();
    const pending = queue.read();
    queue.end();
    assert.equal(await pending, null);
    assert.deepEqual(calls, ["waiting:true", "waiting:false"]);
  });

  test("complete is false until end()", () => {
    const { queue } = recorded();
    assert.equal(queue.complete, false);
    queue.push(bytes("a"));
    assert.equal(queue.complete, false);
    queue.end();
    assert.equal(queue.complete, true);
  });

  test("end(trailers) sets the trailers; plain end() leaves an empty list", () => {
    const plain = recorded().queue;
    assert.deepEqual(plain.trailers, []);
    plain.end();
    assert.deepEqual(plain.trailers, []);
    const { queue } = recorded();
    const trailers: Array<[string, string]> = [["x-checksum", "abc"]];
    queue.end(trailers);
    assert.deepEqual(queue.trailers, [["x-checksum", "abc"]]);
  });
});

describe("BodyQueue: failure", () => {
  test("fail rejects every later read with the same error", async () => {
    const { queue } = recorded();
    const error = new Error("connection reset");
    queue.fail(error);
    await assert.rejects(queue.read(), (e) => e === error);
    await assert.rejects(queue.read(), (e) => e === error);
    assert.equal(queue.complete, false);
  });

  test("fail rejects a pending read and stops waiting", async () => {
    const { queue, calls } = recorded();
    const pending = queue.read();
    const error = new Error("read timeout");
    queue.fail(error);
    await assert.rejects(pending, (e) => e === error);
    assert.deepEqual(calls, ["waiting:true", "waiting:false"]);
  });

  test("chunks that arrived before the failure are delivered first", async () => {
    const { queue } = recorded();
    queue.push(bytes("partial"));
    queue.fail(new Error("truncated"));
    assert.equal(text(await queue.read()), "partial");
    await assert.rejects(queue.read(), /truncated/);
  });

  test("fail after end is ignored", async () => {
    const { queue } = recorded();
    queue.end();
    queue.fail(new Error("late"));
    assert.equal(queue.complete, true);
    assert.equal(await queue.read(), null);
  });

  test("a falsy failure reason is still a failure, not a clean end", async () => {
    for (const reason of [null, undefined, 0]) {
      const { queue } = recorded();
      queue.fail(reason);
      assert.equal(queue.complete, false, `complete after fail(${reason})`);
      await queue.read().then(
        () => assert.fail(`read resolved after fail(${reason})`),
        (e: unknown) => assert.equal(e, reason),
      );
    }
  });
});

describe("BodyQueue: cancel", () => {
  test("cancel mid-stream calls the hook once and answers a pending read with null", async () => {
    const { queue, calls, count } = recorded();
    queue.push(bytes("a"));
    await queue.read();
    const pending = queue.read();
    queue.cancel();
    assert.equal(await pending, null);
    queue.cancel();
    assert.equal(count("cancel"), 1);
    assert.deepEqual(calls, ["waiting:true", "waiting:false", "cancel"], "every wait is closed");
  });

  test("after cancel: buffered bytes are dropped, reads give null, pushes are ignored", async () => {
    const { queue } = recorded();
    queue.push(bytes("unread"));
    queue.cancel();
    assert.equal(queue.buffered, 0);
    assert.equal(await queue.read(), null);
    queue.push(bytes("more"));
    assert.equal(queue.buffered, 0);
    assert.equal(await queue.read(), null);
  });

  test("a body cancelled before its end is not complete, even if the end arrives later", async () => {
    const { queue } = recorded();
    queue.push(bytes("a"));
    queue.cancel();
    assert.equal(queue.complete, false);
    queue.end([["x-late", "1"]]);
    assert.equal(queue.complete, false);
    queue.fail(new Error("late"));
    assert.equal(await queue.read(), null);
  });

  test("cancel after end drops the buffer without calling the hook", async () => {
    const { queue, count } = recorded();
    queue.push(bytes("a"));
    queue.end();
    queue.cancel();
    assert.equal(count("cancel"), 0);
    assert.equal(queue.buffered, 0);
    assert.equal(queue.complete, true);
  });

  test("cancel after fail does not call the hook", () => {
    const { queue, count } = recorded();
    queue.fail(new Error("reset"));
    queue.cancel();
    assert.equal(count("cancel"), 0);
  });
});

describe("BodyQueue: async iteration", () => {
  test("yields every chunk in order, then stops at the end", async () => {
    const { queue, count } = recorded();
    queue.push(bytes("a"));
    queue.push(bytes("b"));
    setImmediate(() => {
      queue.push(bytes("c"));
      queue.end();
    });
    const seen: string[] = [];
    for await (const chunk of queue) seen.push(text(chunk) ?? "");
    assert.deepEqual(seen, ["a", "b", "c"]);
    assert.equal(count("cancel"), 0);
    assert.equal(queue.complete, true);
  });

  test("breaking out early cancels once", async () => {
    const { queue, count } = recorded();
    queue.push(bytes("a"));
    queue.push(bytes("b"));
    for await (const _chunk of queue) break;
    assert.equal(count("cancel"), 1);
    assert.equal(queue.buffered, 0);
    assert.equal(await queue.read(), null);
  });

  test("breaking out after the source ended does not cancel", async () => {
    const { queue, count } = recorded();
    queue.push(bytes("a"));
    queue.push(bytes("b"));
    queue.end();
    for await (const _chunk of queue) break;
    assert.equal(count("cancel"), 0);
    assert.equal(text(await queue.read()), "b");
  });

  test("a failure ends the loop with the error and does not cancel", async () => {
    const { queue, count } = recorded();
    queue.push(bytes("a"));
    const error = new Error("reset");
    queue.fail(error);
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of queue) seen.push(text(chunk) ?? "");
      })(),
      (e) => e === error,
    );
    assert.deepEqual(seen, ["a"]);
    assert.equal(count("cancel"), 0);
  });
});
