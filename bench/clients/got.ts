/** Benchmark client: got, with keep-alive Agents capped at N sockets and its retries off. */
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import got from "got";
import { type BenchClient, type BenchClientConfig, runBenchClient } from "./driver.ts";

/** `got.extend({ agent })`, buffered `.buffer()` per GET, `got.stream()` for downloads. */
export function createGotClient(config: BenchClientConfig): BenchClient {
  const ca = config.ca === undefined ? undefined : readFileSync(config.ca, "utf8");
  const agent = {
    http: new http.Agent({ keepAlive: true, maxSockets: config.connections }),
    https: new https.Agent({ keepAlive: true, maxSockets: config.connections, ...(ca ? { ca } : {}) }),
  };
  const client = got.extend({
    agent,
    retry: { limit: 0 },
    ...(ca ? { https: { certificateAuthority: ca } } : {}),
  });
  return {
    async get(url) {
      const response = await client.get(url, { responseType: "buffer" });
      if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
      return response.body.length;
    },
    async download(url) {
      let length = 0;
      for await (const chunk of client.stream(url)) length += (chunk as Buffer).length;
      return length;
    },
    async httpVersion(url) {
      return (await client.get(url)).httpVersion;
    },
    async close() {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}

await runBenchClient(createGotClient);
