/** Benchmark client: raw node:http2, one session per origin (h2 multiplexes every stream on it). */
import { readFileSync } from "node:fs";
import http2 from "node:http2";
import { type BenchClient, type BenchClientConfig, runBenchClient } from "./driver.ts";

/** `http2.connect(origin, { ca })` once, then `session.request()` per GET. */
export function createNodeHttp2Client(config: BenchClientConfig): BenchClient {
  const ca = config.ca === undefined ? undefined : readFileSync(config.ca, "utf8");
  const sessions = new Map<string, http2.ClientHttp2Session>();
  const session = (origin: string): http2.ClientHttp2Session => {
    let s = sessions.get(origin);
    if (s === undefined || s.closed || s.destroyed) {
      s = http2.connect(origin, ca === undefined ? {} : { ca });
      s.on("error", () => sessions.delete(origin));
      sessions.set(origin, s);
    }
    return s;
  };
  const get = (url: string): Promise<number> => {
    const { origin, pathname, search } = new URL(url);
    return new Promise((resolve, reject) => {
      const stream = session(origin).request({ ":path": pathname + search });
      let status = 0;
      let length = 0;
      stream.once("response", (headers) => {
        status = Number(headers[":status"]);
      });
      stream.on("data", (chunk: Buffer) => {
        length += chunk.length;
      });
      stream.once("error", reject);
      stream.once("end", () => {
        if (status === 200) resolve(length);
        else reject(new Error(`status ${status}`));
      });
      stream.end();
    });
  };
  return {
    get,
    download: get,
    async httpVersion(url) {
      await get(url);
      return "2";
    },
    async close() {
      for (const s of sessions.values()) s.close();
    },
  };
}

await runBenchClient(createNodeHttp2Client);
