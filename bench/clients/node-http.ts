/** Benchmark client: node:http `request` with a keep-alive Agent capped at N sockets. */
import http from "node:http";
import { type BenchClient, runBenchClient } from "./driver.ts";

/** http.request with `new http.Agent({ keepAlive: true, maxSockets })`. */
export function createNodeHttpClient(connections: number): BenchClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  return {
    get(url) {
      return new Promise((resolve, reject) => {
        const req = http.request(url, { agent }, (res) => {
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
    },
    async close() {
      agent.destroy();
    },
  };
}

await runBenchClient(createNodeHttpClient);
