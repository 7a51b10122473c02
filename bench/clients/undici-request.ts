/** Benchmark client: undici's `request` through an Agent limited to N connections per origin. */
import { request } from "undici";
import { type BenchClient, type BenchClientConfig, runBenchClient, versionFromProto } from "./driver.ts";
import { undiciAgent } from "./undici-agent.ts";

/** undici.request with `Agent({ connections })` as the dispatcher; h2 allowed when TLS is set up. */
export function createUndiciClient(config: BenchClientConfig): BenchClient {
  const dispatcher = undiciAgent(config);
  return {
    async get(url) {
      const { statusCode, body } = await request(url, { dispatcher });
      const bytes = await body.arrayBuffer();
      if (statusCode !== 200) throw new Error(`status ${statusCode}`);
      return bytes.byteLength;
    },
    async download(url) {
      const { statusCode, body } = await request(url, { dispatcher });
      if (statusCode !== 200) throw new Error(`status ${statusCode}`);
      let length = 0;
      for await (const chunk of body) length += (chunk as Buffer).length;
      return length;
    },
    async httpVersion(url) {
      // undici.request does not say which protocol it used; the server does.
      const { body } = await request(url, { dispatcher });
      return versionFromProto(await body.text());
    },
    close: () => dispatcher.close(),
  };
}

await runBenchClient(createUndiciClient);
