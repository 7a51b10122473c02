/** The dispatcher both undici clients use: N keep-alive connections, h2 allowed over TLS. */
import { readFileSync } from "node:fs";
import { Agent } from "undici";
import type { BenchClientConfig } from "./driver.ts";

export function undiciAgent(config: BenchClientConfig): Agent {
  return new Agent({
    connections: config.connections,
    keepAliveTimeout: 60_000,
    ...(config.ca === undefined
      ? {}
      : { allowH2: true, maxConcurrentStreams: 128, connect: { ca: readFileSync(config.ca, "utf8") } }),
  });
}
