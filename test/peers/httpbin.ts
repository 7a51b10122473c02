/**
 * httpbin (Debian python3-httpbin) served by gunicorn's threaded worker, so keep-alive works
 * (the default sync worker closes every connection).
 */
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { missingExecutables, reportMissing, startPeerProcess } from "./peer-process.ts";

// The gunicorn on PATH may be pyenv's, which cannot import Debian's httpbin; this one can.
const GUNICORN = "/usr/bin/gunicorn";
const HTTPBIN_MODULE = "/usr/lib/python3/dist-packages/httpbin/__init__.py";

/** A running httpbin. */
export interface HttpbinPeer {
  /** Base URL without a trailing slash, e.g. "http://127.0.0.1:41234". */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts httpbin on a free loopback port; null when gunicorn or python3-httpbin is missing. */
export async function startHttpbin(): Promise<HttpbinPeer | null> {
  const missing = missingExecutables([GUNICORN]).map((path) => `${path} (apt package gunicorn)`);
  if (!existsSync(HTTPBIN_MODULE)) missing.push(`${HTTPBIN_MODULE} (apt package python3-httpbin)`);
  if (missing.length > 0) {
    reportMissing(missing.join(", "));
    return null;
  }
  const env = { ...process.env };
  // pyenv's variables would point Debian's python at the wrong site-packages.
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  const peer = await startPeerProcess({
    name: "httpbin (gunicorn)",
    command: GUNICORN,
    args: (port) => [
      "-b",
      `127.0.0.1:${port}`,
      "-k",
      "gthread",
      "--threads",
      "8",
      "--keep-alive",
      "30",
      // Idle keep-alive connections would otherwise hold a SIGTERM shutdown for 30 s.
      "--graceful-timeout",
      "2",
      "httpbin:app",
    ],
    cwd: tmpdir(),
    env,
    readiness: { kind: "http", path: "/get" },
  });
  return { url: `http://127.0.0.1:${peer.port}`, port: peer.port, stop: () => peer.stop() };
}
