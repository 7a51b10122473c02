/**
 * Runs one third-party server (nginx, gunicorn, …) as a child process on a free loopback port,
 * for the lifetime of a test file. The harness owns the child: it polls readiness with a deadline,
 * keeps the child's output for failure messages, and kills its whole process group on stop and
 * on exit so no server outlives a crashed test file.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";

/** How the harness decides that a freshly spawned server is ready. */
export type Readiness = { kind: "tcp" } | { kind: "http"; path: string; status?: number };

/** Options for {@link startPeerProcess}. */
export interface PeerProcessOptions {
  /** Short label used in error messages ("nginx", "httpbin"). */
  name: string;
  /** Absolute path of the executable. */
  command: string;
  /** Command-line arguments, built once the port is known (called again on a port-race retry). */
  args: (port: number) => string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  readiness: Readiness;
  /** How long to wait for readiness, in ms. Default 20 000 (CI machines can be slow). */
  readyTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL, in ms. Default 5 000. */
  graceMs?: number;
  /** A directory the harness deletes once the process is gone (config, temp files). */
  cleanupDir?: string;
}

/** A running peer server. */
export interface PeerProcess {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  /** Everything the process wrote so far (stdout and stderr interleaved, last 64 KiB). */
  readonly output: string;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the process has exited. Idempotent. */
  stop(): Promise<void>;
}

const OUTPUT_LIMIT = 64 * 1024;
const PORT_ATTEMPTS = 4;
// Messages servers print when the port was taken between our probe and their bind().
const ADDRESS_IN_USE = /address already in use|EADDRINUSE|connection in use/i;

/** Asks the kernel for a currently free TCP port on 127.0.0.1. Racy by nature; callers retry. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("could not read the probe port");
  return address.port;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isPortOpen(port: number, host = "127.0.0.1", timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** The executables in `paths` that do not exist or are not executable. */
export function missingExecutables(paths: readonly string[]): string[] {
  return paths.filter((path) => {
    try {
      accessSync(path, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}

// Why the last peer start function returned null; read by requirePeer for its message.
let lastMissing: string | undefined;

/** Peer start functions call this right before returning null, naming what is not installed. */
export function reportMissing(detail: string): void {
  lastMissing = detail;
}

/** Returns and clears the detail recorded by {@link reportMissing}. */
export function takeMissingReport(): string | undefined {
  const detail = lastMissing;
  lastMissing = undefined;
  return detail;
}

/**
 * Spawns the server and resolves once it is ready. Rejects with the server's own output when it
 * exits early or misses the deadline; retries on a fresh port when the chosen one was taken.
 */
export async function startPeerProcess(options: PeerProcessOptions): Promise<PeerProcess> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    const child = new ChildPeer(options, port);
    try {
      await child.waitReady();
      return child;
    } catch (error) {
      await child.stop();
      if (!(error instanceof PortTakenError)) {
        removeDir(options.cleanupDir);
        throw error;
      }
      lastError = error;
    }
  }
  removeDir(options.cleanupDir);
  throw new Error(`${options.name}: no free port after ${PORT_ATTEMPTS} attempts`, { cause: lastError });
}

class PortTakenError extends Error {}

// Children still running, killed synchronously if this process exits without stopping them.
const live = new Set<ChildPeer>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", () => {
    for (const peer of live) peer.killNow();
  });
  // Peers run in their own process group, so a terminal ^C or the test runner's SIGTERM does
  // not reach them: forward it, then die of the same signal as we would have.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      for (const peer of live) peer.killNow();
      process.kill(process.pid, signal);
    });
  }
}

function removeDir(dir: string | undefined): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}

class ChildPeer implements PeerProcess {
  readonly name: string;
  readonly port: number;
  readonly #options: PeerProcessOptions;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #output = "";
  #exitDescription: string | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: PeerProcessOptions, port: number) {
    this.name = options.name;
    this.port = port;
    this.#options = options;
    installExitHooks();
    // detached: the server leads its own process group, so killing -pid also reaches the
    // worker processes nginx and gunicorn fork (a killed master would otherwise orphan them).
    this.#child = spawn(options.command, options.args(port), {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.#exited = new Promise((resolve) => {
      this.#child.once("exit", (code, signal) => {
        this.#exitDescription = signal === null ? `exit code ${code}` : `signal ${signal}`;
        live.delete(this);
        resolve();
      });
      this.#child.once("error", (error) => {
        this.#exitDescription = `spawn error: ${error.message}`;
        live.delete(this);
        resolve();
      });
    });
    live.add(this);
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk: string) => this.#append(chunk));
    }
    // A peer must never keep a finished test file alive; the exit hook kills leftovers.
    this.#child.unref();
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      (stream as unknown as net.Socket | null)?.unref();
    }
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  get output(): string {
    return this.#output;
  }

  async waitReady(): Promise<void> {
    const timeoutMs = this.#options.readyTimeoutMs ?? 20_000;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (ADDRESS_IN_USE.test(this.#output)) throw new PortTakenError(this.#failure("port taken"));
      if (this.#exitDescription !== undefined) {
        const message = this.#failure(`exited before it was ready (${this.#exitDescription})`);
        throw ADDRESS_IN_USE.test(this.#output) ? new PortTakenError(message) : new Error(message);
      }
      if (await this.#probe()) {
        // The port may belong to someone else if we lost the race and the child is dying.
        if (this.#exitDescription === undefined && !ADDRESS_IN_USE.test(this.#output)) return;
        continue;
      }
      await Promise.race([this.#exited, sleep(50)]);
    }
    throw new Error(this.#failure(`not ready after ${timeoutMs} ms`));
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#terminate();
    return this.#stopping;
  }

  /** Synchronous last resort for the exit hook: SIGKILL the whole group, drop the temp dir. */
  killNow(): void {
    this.#signalGroup("SIGKILL");
    removeDir(this.#options.cleanupDir);
  }

  async #terminate(): Promise<void> {
    if (this.#exitDescription === undefined) {
      this.#signalGroup("SIGTERM");
      const graceMs = this.#options.graceMs ?? 5000;
      let timer: NodeJS.Timeout | undefined;
      const exited = await Promise.race([
        this.#exited.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), graceMs);
        }),
      ]);
      clearTimeout(timer);
      if (!exited) {
        this.#signalGroup("SIGKILL");
        await this.#exited;
      }
    }
    // Workers that outlived their master (should not happen, but never leave one behind).
    this.#signalGroup("SIGKILL");
    live.delete(this);
    removeDir(this.#options.cleanupDir);
  }

  #signalGroup(signal: NodeJS.Signals): void {
    const pid = this.#child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  #probe(): Promise<boolean> {
    const readiness = this.#options.readiness;
    if (readiness.kind === "tcp") return isPortOpen(this.port, "127.0.0.1", 500);
    return httpStatusIs(this.port, readiness.path, readiness.status ?? 200);
  }

  #append(chunk: string): void {
    this.#output += chunk;
    if (this.#output.length > OUTPUT_LIMIT) this.#output = this.#output.slice(-OUTPUT_LIMIT);
  }

  #failure(what: string): string {
    const output = this.#output.trim() === "" ? "(no output)" : this.#output.trimEnd();
    return `${this.name} on 127.0.0.1:${this.port} ${what}. Its output:\n${output}`;
  }
}

function httpStatusIs(port: number, path: string, status: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: "127.0.0.1", port, path, agent: false, timeout: 1000 }, (response) => {
      response.resume();
      response.once("end", () => resolve(response.statusCode === status));
      response.once("error", () => resolve(false));
    });
    request.once("timeout", () => request.destroy());
    request.once("error", () => resolve(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
