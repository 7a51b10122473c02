/** Benchmark client: node:http `request` with a keep-alive Agent capped at N sockets. */
import http from "node:http";
import { type BenchClient, type BenchClientConfig, runBenchClient } from "./driver.ts";

/** http.request with `new http.Agent({ keepAlive: true, maxSockets })`. */
export function createNodeHttpClient(config: BenchClientConfig): BenchClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.connections });
  let lastVersion = "?";
  const get = (url: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = http.request(url, { agent }, (res) => {
        lastVersion = res.httpVersion;
        let length = 0;
        res.on("data", (chunk: Buffer) => {
          length += chunk.length;
        });
        res.once("error", reject);
        res.once("end", () => {
          if (res.statusCode === 200) resolve(length);
          else reject(new Error(`status ${res.statusCode}`));
        });
      });
      req.once("error", reject);
      req.end();
    });
  return {
    get,
    // The data handler above already streams: nothing is kept.
    download: get,
    async httpVersion(url) {
      await get(url);
      return lastVersion;
    },
    async close() {
      agent.destroy();
    },
  };
}

await runBenchClient(createNodeHttpClient);
