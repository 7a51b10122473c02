/**
 * The node:http keep-alive server the benchmark runs beside nginx, in its own process so it
 * never competes with a client for the same event loop. argv: <port>. Serves GET /tiny (the same
 * 13 bytes as nginx), GET /proto and GET /delay?ms=N (answers /tiny's body after N ms: scenario f).
 */
import http from "node:http";

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error("usage: node-http-server.ts <port>");

const body = Buffer.from("hello, world\n");
const headers = { "content-type": "text/plain", "content-length": body.length };
const server = http.createServer((req, res) => {
  if (req.url === "/tiny") {
    res.writeHead(200, headers);
    res.end(body);
    return;
  }
  if (req.url === "/proto") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`HTTP/${req.httpVersion}`);
    return;
  }
  if (req.url?.startsWith("/delay?ms=")) {
    const ms = Number(req.url.slice("/delay?ms=".length));
    setTimeout(() => {
      res.writeHead(200, headers);
      res.end(body);
    }, ms);
    return;
  }
  res.writeHead(404, { "content-length": 0 });
  res.end();
});
// Match nginx: long-lived keep-alive, no per-socket request cap, room for scenario f's sockets.
server.keepAliveTimeout = 65_000;
server.maxRequestsPerSocket = 0;
server.maxConnections = 20_000;
server.listen({ port, host: "127.0.0.1", backlog: 4096 });
