/** Benchmark client: axios (its node:http adapter), keep-alive Agents capped at N sockets. */
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import axios from "axios";
import { type BenchClient, type BenchClientConfig, runBenchClient, versionFromProto } from "./driver.ts";

/** `axios.create({ httpAgent, httpsAgent })`, `responseType: "arraybuffer"` per GET. */
export function createAxiosClient(config: BenchClientConfig): BenchClient {
  const ca = config.ca === undefined ? undefined : readFileSync(config.ca, "utf8");
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: config.connections });
  const httpsAgent = new https.Agent({
    keepAlive: true,
    maxSockets: config.connections,
    ...(ca ? { ca } : {}),
  });
  // maxContentLength: axios caps buffered bodies (and, for streams, nothing) at its own default.
  const client = axios.create({ httpAgent, httpsAgent, maxContentLength: Number.POSITIVE_INFINITY });
  return {
    async get(url) {
      const response = await client.get<ArrayBuffer>(url, { responseType: "arraybuffer" });
      if (response.status !== 200) throw new Error(`status ${response.status}`);
      return response.data.byteLength;
    },
    async download(url) {
      const response = await client.get<Readable>(url, { responseType: "stream" });
      let length = 0;
      for await (const chunk of response.data) length += (chunk as Buffer).length;
      return length;
    },
    async httpVersion(url) {
      // axios does not expose the protocol; the server reports the one it saw.
      return versionFromProto((await client.get<string>(url, { responseType: "text" })).data);
    },
    async close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

await runBenchClient(createAxiosClient);
