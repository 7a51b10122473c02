/**
 * Micro-benchmark of the pure HTTP/1.1 response parser: parses 1e5 small keep-alive responses per
 * round and prints ns/response. Node's built-in llhttp binding (what node:http uses; undici runs
 * the same llhttp as wasm) is measured alongside as a reference when available.
 *
 *   node --import tsx bench/h1-parser.ts
 */
import type { ProtocolEvent } from "../src/protocols/events.ts";
import { H1ResponseParser } from "../src/protocols/h1/response-parser.ts";

const N = 100_000;
const ROUNDS = 7;

const lengthResponse = Buffer.from(
  "HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nServer: bench\r\nContent-Type: text/plain\r\n" +
    "Connection: keep-alive\r\nContent-Length: 12\r\n\r\nHello World!",
  "latin1",
);
const chunkedResponse = Buffer.from(
  "HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nServer: bench\r\nContent-Type: text/plain\r\n" +
    "Transfer-Encoding: chunked\r\n\r\n6\r\nHello \r\n6\r\nWorld!\r\n0\r\n\r\n",
  "latin1",
);

type Runner = (chunks: Buffer[]) => number;

function ours(): Runner {
  let bytes = 0;
  const parser = new H1ResponseParser((e: ProtocolEvent) => {
    if (e.type === "data") bytes += e.data.byteLength;
  });
  return (chunks) => {
    for (let i = 0; i < N; i++) {
      parser.expect("GET");
      for (const c of chunks) parser.feed(c);
    }
    return bytes;
  };
}

interface NodeHttpParser {
  initialize(type: number, resource: object, maxHeaderSize?: number, lenient?: number): void;
  execute(buf: Buffer): number | Error;
  [key: number]: unknown;
}
interface NodeHttpParserCtor {
  new (): NodeHttpParser;
  RESPONSE: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
}

function nodeLlhttp(): Runner | null {
  let HTTPParser: NodeHttpParserCtor;
  try {
    const binding = (process as unknown as { binding(name: string): { HTTPParser: NodeHttpParserCtor } })
      .binding;
    process.noDeprecation = true;
    HTTPParser = binding("http_parser").HTTPParser;
  } catch {
    return null;
  }
  let bytes = 0;
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.RESPONSE, {});
  parser[HTTPParser.kOnHeadersComplete] = () => 0;
  parser[HTTPParser.kOnBody] = (b: Buffer) => {
    bytes += b.length;
  };
  parser[HTTPParser.kOnMessageComplete] = () => {};
  return (chunks) => {
    for (let i = 0; i < N; i++) for (const c of chunks) parser.execute(c);
    return bytes;
  };
}

function measure(name: string, make: () => Runner | null, chunks: Buffer[]): void {
  const run = make();
  if (run === null) {
    console.log(`${name.padEnd(44)} (unavailable)`);
    return;
  }
  for (let w = 0; w < 3; w++) run(chunks); // warm-up: let the JIT settle before timing
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // CPU time, not wall time: the figure should not depend on what else the machine runs.
    const t = process.cpuUsage();
    run(chunks);
    const used = process.cpuUsage(t);
    times.push(((used.user + used.system) * 1000) / N);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(
    `${name.padEnd(44)} ${median.toFixed(0).padStart(6)} ns/response (best ${times[0]!.toFixed(0)})`,
  );
}

const split = [lengthResponse.subarray(0, 40), lengthResponse.subarray(40)];
console.log(`node ${process.version}, ${N} responses per round, median of ${ROUNDS} rounds, CPU time`);
measure("niquests H1ResponseParser, content-length", ours, [lengthResponse]);
measure("node llhttp (native), content-length", nodeLlhttp, [lengthResponse]);
measure("niquests H1ResponseParser, chunked", ours, [chunkedResponse]);
measure("node llhttp (native), chunked", nodeLlhttp, [chunkedResponse]);
measure("niquests H1ResponseParser, head split in 2", ours, split);
measure("node llhttp (native), head split in 2", nodeLlhttp, split);
