/**
 * Micro-benchmark of the session layer alone: `session.get()` over an in-memory transport that
 * answers at once, so what is timed is everything above `Transport.handle` (prepare, pipeline,
 * cookies, hooks, Response). Prints CPU µs per call, median of 7 rounds; no network, no server.
 *
 *   npm run build && node --import tsx bench/session-layer.ts
 * NIQUESTS_BENCH_DIST=/other/dist compares another build (see clients/load-niquests.ts).
 */
import type { ResponseBodyStream, Transport, TransportResponse } from "../src/index.ts";
import { loadNiquests } from "./clients/load-niquests.ts";

const { Session } = await loadNiquests();
const CALLS = 20_000;
const ROUNDS = 7;
const BODY = new TextEncoder().encode("hello, world\n");
const HEADERS: Array<[string, string]> = [
  ["Server", "nginx/1.22.1"],
  ["Date", "Mon, 01 Jan 2024 00:00:00 GMT"],
  ["Content-Type", "text/plain"],
  ["Content-Length", String(BODY.byteLength)],
  ["Connection", "keep-alive"],
];

function body(): ResponseBodyStream {
  let done = false;
  return {
    trailers: [],
    get complete() {
      return done;
    },
    read() {
      const chunk = done ? null : BODY;
      done = true;
      return Promise.resolve(chunk);
    },
    cancel() {
      done = true;
    },
    async *[Symbol.asyncIterator]() {
      if (!done) yield BODY;
      done = true;
    },
  };
}

/** Answers every request with 200 and 13 bytes; `/redirect` with a 302 to `/tiny`. */
const instant: Transport = {
  async handle(request): Promise<TransportResponse> {
    const redirect = request.url.pathname === "/redirect";
    return {
      status: redirect ? 302 : 200,
      reason: redirect ? "Found" : "OK",
      httpVersion: 11,
      headers: redirect
        ? [
            ["Location", "/tiny"],
            ["Content-Length", "0"],
          ]
        : HEADERS,
      body: body(),
      connInfo: null,
    };
  },
  async close() {},
};

type Case = [name: string, make: () => InstanceType<typeof Session>, url: string];
const noop = (): void => {};
const cases: Case[] = [
  ["plain session, GET /tiny", () => new Session(), "http://bench.test/tiny"],
  [
    "cookies + hooks + one redirect",
    () => {
      const s = new Session({ hooks: { preRequest: [noop], response: [noop] } });
      s.cookies.set("theme", "dark", { domain: "bench.test", path: "/" });
      s.cookies.set("session", "0123456789abcdef", { domain: "bench.test", path: "/" });
      return s;
    },
    "http://bench.test/redirect",
  ],
];

console.log(`node ${process.version}, ${CALLS} calls per round, median of ${ROUNDS} rounds, CPU time`);
for (const [name, make, url] of cases) {
  const session = make();
  session.mount("http://", instant);
  const round = async (): Promise<void> => {
    for (let i = 0; i < CALLS; i++) {
      const r = await session.get(url);
      if (r.statusCode !== 200 || r.content?.byteLength !== BODY.byteLength) throw new Error("bad response");
    }
  };
  for (let w = 0; w < 3; w++) await round(); // let the JIT settle before timing
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = process.cpuUsage();
    await round();
    const used = process.cpuUsage(t);
    times.push((used.user + used.system) / CALLS);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(34)} ${times[ROUNDS >> 1]!.toFixed(2).padStart(6)} µs/call (best ${times[0]!.toFixed(2)})`,
  );
  await session.close();
}
