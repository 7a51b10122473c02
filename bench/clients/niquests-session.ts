/** Benchmark client: this project's Session, pool capped at N connections (per API.md). */
import type { BenchClient, BenchClientConfig } from "./driver.ts";
import { runBenchClient } from "./driver.ts";
import { loadNiquests, versionName } from "./load-niquests.ts";

const { Session } = await loadNiquests();

/** `new Session({ poolMaxsize })`, reading `r.content` for every response. */
export function createNiquestsClient(config: BenchClientConfig): BenchClient {
  const session = new Session({
    poolMaxsize: config.connections,
    ...(config.ca === undefined ? {} : { verify: config.ca }),
  });
  return {
    async get(url) {
      const r = await session.get(url);
      const content = r.content;
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
      return content?.byteLength ?? 0;
    },
    async download(url) {
      const r = await session.get(url, { stream: true });
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
      let length = 0;
      for await (const chunk of r.iterContent()) length += chunk.length;
      return length;
    },
    async httpVersion(url) {
      return versionName((await session.get(url)).httpVersion);
    },
    close: () => session.close(),
  };
}

await runBenchClient(createNiquestsClient);
