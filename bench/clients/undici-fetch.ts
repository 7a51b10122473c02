/** Benchmark client: undici's `fetch` (the WHATWG API) through an Agent limited to N connections. */
import { fetch } from "undici";
import { type BenchClient, type BenchClientConfig, runBenchClient, versionFromProto } from "./driver.ts";
import { undiciAgent } from "./undici-agent.ts";

/** undici.fetch with `Agent({ connections })` as the dispatcher. */
export function createUndiciFetchClient(config: BenchClientConfig): BenchClient {
  const dispatcher = undiciAgent(config);
  return {
    async get(url) {
      const response = await fetch(url, { dispatcher });
      const bytes = await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`status ${response.status}`);
      return bytes.byteLength;
    },
    async download(url) {
      const response = await fetch(url, { dispatcher });
      if (response.status !== 200 || response.body === null) throw new Error(`status ${response.status}`);
      let length = 0;
      for await (const chunk of response.body) length += chunk.byteLength;
      return length;
    },
    async httpVersion(url) {
      return versionFromProto(await (await fetch(url, { dispatcher })).text());
    },
    close: () => dispatcher.close(),
  };
}

await runBenchClient(createUndiciFetchClient);
