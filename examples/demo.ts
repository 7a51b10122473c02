/**
 * The niquests demo: starts a small local server, then uses one Session for JSON, cookies that
 * persist across requests, a redirect with its history, and a streamed download.
 * Run it with `npm run demo` (no network needed).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Session } from "../src/index.ts";

function handler(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname === "/json") {
    res.setHeader("Content-Type", "application/json");
    res.end(
      JSON.stringify({
        hello: "world",
        page: url.searchParams.get("page"),
        tags: url.searchParams.getAll("tags"),
      }),
    );
  } else if (url.pathname === "/login") {
    res.setHeader("Set-Cookie", "session=abc123; Path=/; HttpOnly");
    res.writeHead(302, { Location: "/whoami" }).end();
  } else if (url.pathname === "/whoami") {
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.end(`cookie header: ${req.headers.cookie ?? "(none)"}`);
  } else if (url.pathname === "/stream") {
    res.setHeader("Content-Type", "text/plain");
    let line = 0;
    const timer = setInterval(() => {
      res.write(`line ${++line}\n`);
      if (line === 5) {
        clearInterval(timer);
        res.end();
      }
    }, 20);
  } else {
    res.writeHead(404).end("not found");
  }
}

const server = createServer(handler);
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

await using session = new Session({ baseUrl: base, headers: { "X-Demo": "yes" } });

const json = await session.get("/json", { params: { page: 2, tags: ["a", "b"] } });
console.log(`GET ${json.url} -> ${json.statusCode} ${json.reason}`);
console.log("  json():", json.json());

const login = await session.get("/login");
console.log(`GET /login -> ${login.statusCode}, followed ${login.history.length} redirect(s):`);
for (const hop of login.history)
  console.log(`  ${hop.statusCode} ${hop.url} -> ${hop.headers.get("Location")}`);
console.log(`  final ${login.url}: "${login.text}"`);
console.log("  session cookies:", session.cookies.toJSON());

const again = await session.get("/whoami");
console.log(`GET /whoami again (cookie persisted): "${again.text}"`);

const streamed = await session.get("/stream", { stream: true });
console.log(`GET /stream -> ${streamed.statusCode}, reading lines as they arrive:`);
for await (const line of streamed.iterLines()) console.log(`  ${String(line)}`);

server.close();
