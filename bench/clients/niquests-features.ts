/**
 * Scenario (e): the cost of the session layer. One logical call fetches /redirect, which nginx
 * answers with a 302 to /tiny: two requests either way.
 *   --variant=on   one `session.get("/redirect")` on a Session holding cookies (sent on both
 *                  hops), with a preRequest and a response hook, following the redirect itself.
 *   --variant=off  the same two requests by hand, `allowRedirects: false`, no cookies, no hooks,
 *                  Set-Cookie ignored: what a caller does without those features.
 * The ratio on/off in calls per second is what the features cost.
 */
import { runBenchClient } from "./driver.ts";
import { loadNiquests, versionName } from "./load-niquests.ts";

const { Session } = await loadNiquests();
const variant = process.argv.find((arg) => arg.startsWith("--variant="))?.slice("--variant=".length);
if (variant !== "on" && variant !== "off") throw new Error("--variant=on|off is required");
// The driver parses argv strictly; it must not see our own flag.
process.argv = process.argv.filter((arg) => !arg.startsWith("--variant="));

let hookCalls = 0;
const count = (): void => {
  hookCalls++;
};

await runBenchClient(async ({ connections }) => {
  const on = variant === "on";
  const session = on
    ? new Session({ poolMaxsize: connections, hooks: { preRequest: [count], response: [count] } })
    : new Session({ poolMaxsize: connections, allowIncomingCookies: false });
  if (on) {
    session.cookies.set("theme", "dark", { domain: "127.0.0.1", path: "/" });
    session.cookies.set("session", "0123456789abcdef", { domain: "127.0.0.1", path: "/" });
  }
  const tiny = (url: string): string => url.replace(/\/redirect$/, "/tiny");
  return {
    async get(url) {
      let r = await session.get(url, on ? {} : { allowRedirects: false });
      if (!on) r = await session.get(tiny(url));
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
      if (on && (r.history.length !== 1 || hookCalls === 0)) throw new Error("redirect or hooks did not run");
      return r.content?.byteLength ?? 0;
    },
    async httpVersion(url) {
      return versionName((await session.get(url)).httpVersion);
    },
    close: () => session.close(),
  };
});
