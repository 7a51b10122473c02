/** Benchmark client: the top-level `niquests.get()` (its shared default session, default pool of 10). */
import type { BenchClient, BenchClientConfig } from "./driver.ts";
import { runBenchClient } from "./driver.ts";
import { loadNiquests, versionName } from "./load-niquests.ts";

const niquests = (await loadNiquests()).default;

/** `niquests.get(url)`; the connection limit is the default session's own 10. */
export function createNiquestsTopClient(config: BenchClientConfig): BenchClient {
  const tls = config.ca === undefined ? {} : { verify: config.ca };
  return {
    async get(url) {
      const r = await niquests.get(url, tls);
      const content = r.content;
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
      return content?.byteLength ?? 0;
    },
    async download(url) {
      const r = await niquests.get(url, { ...tls, stream: true });
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
      let length = 0;
      for await (const chunk of r.iterContent()) length += chunk.length;
      return length;
    },
    async httpVersion(url) {
      return versionName((await niquests.get(url, tls)).httpVersion);
    },
    async close() {},
  };
}

await runBenchClient(createNiquestsTopClient);
