import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import type { HeaderList, ProtocolEvent } from "../../src/protocols/events.ts";
import { H1ParseError } from "../../src/protocols/h1/h1-parse-error.ts";
import { type H1ParserOptions, H1ResponseParser } from "../../src/protocols/h1/response-parser.ts";

interface Outcome {
  informational: Array<[number, string, HeaderList]>;
  head: [number, string, HeaderList, boolean, boolean, number | null] | null;
  body: string;
  trailers: HeaderList | null;
  ends: number;
  error: "protocol" | "incomplete" | null;
  trailing: string;
}

const MAX_HEAD = 256;

/**
 * Parse `bytes` delivered as pieces cut at `cuts`, then EOF. Asserts along the way that the
 * parser never buffers more than maxHeaderBytes and that the event count stays linear in the
 * input (no runaway loop), and that nothing but H1ParseError escapes.
 */
function run(bytes: Uint8Array, cuts: number[], options: H1ParserOptions = {}, method = "GET"): Outcome {
  const out: Outcome = {
    informational: [],
    head: null,
    body: "",
    trailers: null,
    ends: 0,
    error: null,
    trailing: "",
  };
  let events = 0;
  const parser = new H1ResponseParser((e: ProtocolEvent) => {
    assert.ok(++events <= bytes.length + 2, "event count bounded by input size");
    if (e.type === "informational") out.informational.push([e.status, e.reason, e.headers]);
    else if (e.type === "headers")
      out.head = [e.status, e.reason, e.headers, e.keepAlive, e.closeDelimited, e.contentLength];
    else if (e.type === "data") out.body += Buffer.from(e.data).toString("latin1");
    else if (e.type === "trailers") out.trailers = e.headers;
    else if (e.type === "end") out.ends++;
  }, options);
  const limit = options.maxHeaderBytes ?? 80 * 1024;
  parser.expect(method);
  const points = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
  try {
    let from = 0;
    for (const to of [...points, bytes.length]) {
      parser.feed(bytes.subarray(from, to));
      assert.ok(parser.bufferedBytes <= limit, `buffered ${parser.bufferedBytes} > ${limit}`);
      from = to;
    }
    if (out.ends === 0) parser.finish();
  } catch (error) {
    if (!(error instanceof H1ParseError)) throw error;
    out.error = error.incomplete ? "incomplete" : "protocol";
  }
  out.trailing = Buffer.from(parser.takeRemaining()).toString("latin1");
  return out;
}

// ---- generators of valid responses -------------------------------------------------------

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const FRAMING = new Set(["content-length", "transfer-encoding", "connection"]);
const tokenArb = fc
  .array(fc.constantFrom(...TCHARS), { minLength: 1, maxLength: 12 })
  .map((a) => a.join(""))
  .filter((n) => !FRAMING.has(n.toLowerCase()));
const vcharArb = fc.oneof(
  fc.integer({ min: 0x21, max: 0x7e }),
  fc.integer({ min: 0x80, max: 0xff }),
  fc.constantFrom(0x20, 0x09),
);
const textArb = fc.array(vcharArb, { maxLength: 16 }).map((cs) => String.fromCharCode(...cs));
const owsArb = fc.constantFrom("", " ", "\t", "  \t");
/** [wire value, expected trimmed value] */
const fieldArb = fc
  .tuple(tokenArb, owsArb, textArb, owsArb)
  .map(([name, pre, v, post]) => ({ name, wire: pre + v + post, value: v.replace(/^[ \t]+|[ \t]+$/g, "") }));
const fieldsArb = fc.array(fieldArb, { maxLength: 6 });

const responseArb = fc.record({
  informational: fc.array(
    fc.record({ status: fc.constantFrom(100, 102, 103, 150), reason: textArb, fields: fieldsArb }),
    {
      maxLength: 2,
    },
  ),
  status: fc.integer({ min: 200, max: 599 }),
  reason: textArb,
  fields: fieldsArb,
  close: fc.boolean(),
  framing: fc.constantFrom("length", "chunked", "close"),
  body: fc.uint8Array({ maxLength: 200 }),
  chunkCuts: fc.array(fc.nat(), { maxLength: 6 }),
  ext: fc.constantFrom("", ";a=b", ' ; x="y"'),
  zeros: fc.constantFrom("", "0", "000"),
  trailers: fieldsArb,
});
type ResponseModel = typeof responseArb extends fc.Arbitrary<infer T> ? T : never;

function encode(m: ResponseModel): { bytes: Buffer; expected: Outcome } {
  let s = "";
  const expected: Outcome = {
    informational: [],
    head: null,
    body: "",
    trailers: null,
    ends: 1,
    error: null,
    trailing: "",
  };
  for (const i of m.informational) {
    s += `HTTP/1.1 ${i.status} ${i.reason}\r\n${i.fields.map((f) => `${f.name}:${f.wire}\r\n`).join("")}\r\n`;
    expected.informational.push([i.status, i.reason, i.fields.map((f) => [f.name, f.value])]);
  }
  const noBody = m.status === 204 || m.status === 304;
  const headers: HeaderList = m.fields.map((f) => [f.name, f.value]);
  let head = `HTTP/1.1 ${m.status} ${m.reason}\r\n${m.fields.map((f) => `${f.name}:${f.wire}\r\n`).join("")}`;
  if (m.close) {
    head += "Connection: close\r\n";
    headers.push(["Connection", "close"]);
  }
  const body = Buffer.from(m.body);
  let payload = "";
  let contentLength: number | null = null;
  if (m.framing === "length") {
    head += `Content-Length: ${body.length}\r\n`;
    headers.push(["Content-Length", String(body.length)]);
    payload = body.toString("latin1");
    contentLength = noBody ? null : body.length;
  } else if (m.framing === "chunked") {
    head += "Transfer-Encoding: chunked\r\n";
    headers.push(["Transfer-Encoding", "chunked"]);
    const cuts = [...new Set(m.chunkCuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
    let from = 0;
    for (const to of [...cuts, body.length]) {
      if (to > from)
        payload += `${m.zeros}${(to - from).toString(16)}${m.ext}\r\n${body.toString("latin1", from, to)}\r\n`;
      from = to;
    }
    payload += `${m.zeros}0${m.ext}\r\n${m.trailers.map((f) => `${f.name}:${f.wire}\r\n`).join("")}\r\n`;
    if (m.trailers.length > 0 && !noBody) expected.trailers = m.trailers.map((f) => [f.name, f.value]);
  } else {
    payload = body.toString("latin1");
  }
  const closeDelimited = m.framing === "close" && !noBody;
  expected.head = [m.status, m.reason, headers, !m.close && !closeDelimited, closeDelimited, contentLength];
  expected.body = noBody ? "" : body.toString("latin1");
  return { bytes: Buffer.from(s + head + "\r\n" + (noBody ? "" : payload), "latin1"), expected };
}

const cutsArb = fc.array(fc.nat({ max: 2000 }), { maxLength: 12 });

describe("h1 parser properties", () => {
  test("valid responses: whole and arbitrarily split parses both match the model", () => {
    fc.assert(
      fc.property(responseArb, cutsArb, (m, cuts) => {
        const { bytes, expected } = encode(m);
        const whole = run(bytes, []);
        assert.deepEqual(whole, expected);
        assert.deepEqual(
          run(
            bytes,
            cuts.map((c) => c % (bytes.length + 1)),
          ),
          expected,
        );
      }),
      { numRuns: 400 },
    );
  });

  test("pipelined valid responses: second one stays in takeRemaining", () => {
    fc.assert(
      fc.property(responseArb, responseArb, cutsArb, (a, b, cuts) => {
        const first = encode({ ...a, framing: a.framing === "close" ? "length" : a.framing });
        const second = encode(b);
        const bytes = Buffer.concat([first.bytes, second.bytes]);
        const out = run(bytes, cuts);
        assert.deepEqual({ ...out, trailing: "" }, first.expected);
        assert.equal(out.trailing, second.bytes.toString("latin1"));
      }),
      { numRuns: 150 },
    );
  });

  test("random bytes: only H1ParseError, bounded buffering, split-invariant", () => {
    const prefixed = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc
        .tuple(
          fc.constantFrom("HTTP/1.1 200 OK\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
          fc.uint8Array({ maxLength: 400 }),
        )
        .map(([p, r]) => Buffer.concat([Buffer.from(p), r])),
    );
    fc.assert(
      fc.property(prefixed, cutsArb, fc.constantFrom("GET", "HEAD", "CONNECT"), (bytes, cuts, method) => {
        const opts = { maxHeaderBytes: MAX_HEAD, maxHeaderCount: 8 };
        const whole = run(bytes, [], opts, method);
        assert.deepEqual(run(bytes, cuts, opts, method), whole);
      }),
      { numRuns: 500 },
    );
  });

  test("mutated valid responses: only H1ParseError, bounded buffering, split-invariant", () => {
    const mutation = fc.record({
      kind: fc.constantFrom("replace", "insert", "delete", "duplicate"),
      at: fc.nat(),
      len: fc.integer({ min: 1, max: 40 }),
      byte: fc.constantFrom(0x00, 0x0a, 0x0d, 0x20, 0x09, 0x3a, 0x3b, 0x30, 0x7f, 0xff, 0x41),
    });
    fc.assert(
      fc.property(
        responseArb,
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        cutsArb,
        (m, muts, cuts) => {
          let bytes = encode(m).bytes;
          for (const mu of muts) {
            const at = mu.at % (bytes.length + 1);
            const before = bytes.subarray(0, at);
            if (mu.kind === "replace")
              bytes = Buffer.concat([before, Buffer.of(mu.byte), bytes.subarray(at + 1)]);
            else if (mu.kind === "insert")
              bytes = Buffer.concat([before, Buffer.of(mu.byte), bytes.subarray(at)]);
            else if (mu.kind === "delete") bytes = Buffer.concat([before, bytes.subarray(at + mu.len)]);
            else bytes = Buffer.concat([bytes.subarray(0, at + mu.len), bytes.subarray(at)]);
          }
          const opts = { maxHeaderBytes: MAX_HEAD };
          const whole = run(bytes, [], opts);
          assert.deepEqual(run(bytes, cuts, opts), whole);
        },
      ),
      { numRuns: 500 },
    );
  });
});
