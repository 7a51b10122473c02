import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { recordedBodyQueue as recorded } from "../support/recorded-body-queue.ts";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const joined = (chunks: Uint8Array[] | null): string | null =>
  chunks === null ? null : chunks.map((c) => new TextDecoder().decode(c)).join("");

describe("BodyQueue.collect", () => {
  test("a body that already ended is handed over at once; later reads see the end", async () => {
    const { queue, calls } = recorded();
    queue.push(bytes("ab"));
    queue.push(bytes("cd"));
    queue.end();
    assert.equal(joined(await queue.collect(Number.POSITIVE_INFINITY)), "abcd");
    assert.equal(await queue.read(), null);
    assert.equal(queue.buffered, 0);
    assert.deepEqual(calls, []);
  });

  test("waits for the end, with the read timeout armed all along, and never pauses", async () => {
    const { queue, calls } = recorded();
    const collected = queue.collect(Number.POSITIVE_INFINITY);
    queue.push(new Uint8Array(300 * 1024));
    queue.push(bytes("x"));
    queue.end();
    const chunks = await collected;
    assert.equal(chunks?.length, 2);
    assert.deepEqual(calls, ["waiting:true", "waiting:false"]);
    assert.equal(queue.complete, true);
  });

  test("past maxBytes it resolves null and leaves the chunks to read()", async () => {
    const { queue, calls } = recorded();
    const collected = queue.collect(3);
    queue.push(bytes("ab"));
    queue.push(bytes("cd"));
    assert.equal(await collected, null);
    queue.end();
    assert.equal(new TextDecoder().decode((await queue.read())!), "ab");
    assert.equal(new TextDecoder().decode((await queue.read())!), "cd");
    assert.equal(await queue.read(), null);
    assert.deepEqual(calls, ["waiting:true", "waiting:false"]);
  });

  test("already more than maxBytes buffered: null, nothing taken", async () => {
    const { queue } = recorded();
    queue.push(bytes("abcd"));
    assert.equal(await queue.collect(3), null);
    assert.equal(queue.buffered, 4);
  });

  test("a failure rejects it, before or while it waits", async () => {
    const boom = new Error("reset");
    const early = recorded();
    early.queue.push(bytes("ab"));
    early.queue.fail(boom);
    await assert.rejects(early.queue.collect(Number.POSITIVE_INFINITY), (error) => error === boom);
    const late = recorded();
    const collected = late.queue.collect(Number.POSITIVE_INFINITY);
    late.queue.push(bytes("ab"));
    late.queue.fail(boom);
    await assert.rejects(collected, (error) => error === boom);
    assert.deepEqual(late.calls, ["waiting:true", "waiting:false"]);
  });

  test("a cancel while it waits resolves it with what arrived, and cancels the source", async () => {
    const { queue, calls } = recorded();
    const collected = queue.collect(Number.POSITIVE_INFINITY);
    queue.push(bytes("ab"));
    queue.cancel();
    assert.equal(joined(await collected), "ab");
    assert.deepEqual(calls, ["waiting:true", "waiting:false", "cancel"]);
    assert.equal(queue.complete, false);
  });

  test("a paused source is resumed when collecting starts", async () => {
    const { queue, calls } = recorded();
    queue.push(new Uint8Array(300 * 1024));
    assert.deepEqual(calls, ["pause"]);
    const collected = queue.collect(Number.POSITIVE_INFINITY);
    queue.end();
    assert.equal((await collected)?.length, 1);
    assert.deepEqual(calls, ["pause", "resume", "waiting:true", "waiting:false"]);
  });

  test("reads and collects do not overlap", async () => {
    const { queue } = recorded();
    const collected = queue.collect(Number.POSITIVE_INFINITY);
    await assert.rejects(queue.read(), /Concurrent reads/);
    await assert.rejects(queue.collect(1), /Concurrent reads/);
    queue.end();
    assert.deepEqual(await collected, []);
    const reading = queue.read();
    assert.equal(await reading, null);
  });
});
