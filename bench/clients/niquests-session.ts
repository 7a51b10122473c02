/** Benchmark client: this project's Session, pool capped at N connections (per API.md). */
import { Session } from "../../src/index.ts";
import { type BenchClient, runBenchClient } from "./driver.ts";

/** `new Session({ poolMaxsize })`, reading `r.content` for every response. */
export function createNiquestsClient(connections: number): BenchClient {
  const session = new Session({ poolMaxsize: connections });
  return {
    async get(url) {
      const r = await session.get(url);
      const content = r.content;
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
      return content?.byteLength ?? 0;
    },
    close: () => session.close(),
  };
}

await runBenchClient(createNiquestsClient);
