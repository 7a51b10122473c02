/** Benchmark client: undici's `request` through an Agent limited to N connections per origin. */
import { Agent, request } from "undici";
import { type BenchClient, runBenchClient } from "./driver.ts";

/** undici.request with `Agent({ connections })` passed as the dispatcher. */
export function createUndiciClient(connections: number): BenchClient {
  const dispatcher = new Agent({ connections, keepAliveTimeout: 60_000 });
  return {
    async get(url) {
      const { statusCode, body } = await request(url, { dispatcher });
      const bytes = await body.arrayBuffer();
      if (statusCode !== 200) throw new Error(`status ${statusCode}`);
      return bytes.byteLength;
    },
    close: () => dispatcher.close(),
  };
}

await runBenchClient(createUndiciClient);
