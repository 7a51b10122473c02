/**
 * The one rule for optional test peers: a developer without the peer gets skipped tests with a
 * reason, CI without the peer gets a failed run. Tests never pass silently for lack of a server.
 */
import { takeMissingReport } from "./peer-process.ts";

/** True when running under CI (`CI` set to anything but "", "0" or "false"). */
export function inCI(): boolean {
  const value = process.env.CI?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

/**
 * Starts a peer through `start`, which returns null when the peer's software is not installed.
 * In CI that is an error naming what is missing; elsewhere it returns null so the caller can
 * skip its tests: `describe("x", { skip: peer ? false : "gunicorn not installed" }, …)`.
 * Errors from `start` (installed but broken) always propagate.
 */
export async function requirePeer<T>(name: string, start: () => Promise<T | null>): Promise<T | null> {
  takeMissingReport();
  const peer = await start();
  if (peer !== null) return peer;
  const detail = takeMissingReport() ?? "its binary was not found";
  if (inCI()) {
    throw new Error(
      `test peer "${name}" is required in CI but is not installed: ${detail}. ` +
        "Install it with `bash scripts/install-peers.sh`.",
    );
  }
  return null;
}
