/**
 * The node:http keep-alive server the benchmark runs beside nginx, in its own process so it
 * never competes with a client for the same event loop. argv: <port>. Serves GET /tiny.
 */
import http from "node:http";

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error("usage: node-http-server.ts <port>");

const body = Buffer.from("hello, world\n");
const server = http.createServer((req, res) => {
  if (req.url === "/tiny") {
    res.writeHead(200, { "content-type": "text/plain", "content-length": body.length });
    res.end(body);
    return;
  }
  res.writeHead(404, { "content-length": 0 });
  res.end();
});
// Match nginx: long-lived keep-alive, no per-socket request cap.
server.keepAliveTimeout = 65_000;
server.maxRequestsPerSocket = 0;
server.listen(port, "127.0.0.1");
