import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { netrcAuth, parseNetrc } from "../../src/auth/netrc.ts";

const root = mkdtempSync(join(tmpdir(), "niquests-netrc-"));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

/** A fresh home directory holding the given files. */
function home(files: Record<string, string>): string {
  const dir = join(root, `home${++dirs}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { mode: 0o600 });
  return dir;
}

const url = (s: string) => new URL(s);

describe("netrcAuth", () => {
  test("finds ~/.netrc by host name, ignoring the port, with a default entry as fallback", () => {
    const dir = home({
      ".netrc": [
        "machine api.example.com login alice password s3cret",
        "machine other.test",
        "  login bob",
        "  password hunter2",
        "default login anon password guest",
        "",
      ].join("\n"),
    });
    const options = { env: {}, homedir: dir };
    assert.deepEqual(netrcAuth(url("https://api.example.com:8443/x"), options), ["alice", "s3cret"]);
    assert.deepEqual(netrcAuth(url("http://other.test/"), options), ["bob", "hunter2"]);
    assert.deepEqual(netrcAuth(url("http://unknown.test/"), options), ["anon", "guest"]);
  });

  test("no match and no default gives null; host names match case-insensitively", () => {
    const dir = home({ ".netrc": "machine API.Example.com login a password b\n" });
    assert.deepEqual(netrcAuth(url("http://api.example.com/"), { env: {}, homedir: dir }), ["a", "b"]);
    assert.equal(netrcAuth(url("http://example.com/"), { env: {}, homedir: dir }), null);
  });

  test("NETRC names the file (with ~ expanded); when it is missing, ~/.netrc is not consulted", () => {
    const dir = home({
      ".netrc": "default login home password h\n",
      "custom.netrc": "default login env password e\n",
    });
    const custom = join(dir, "custom.netrc");
    assert.deepEqual(netrcAuth(url("http://x.test/"), { env: { NETRC: custom }, homedir: dir }), [
      "env",
      "e",
    ]);
    assert.deepEqual(netrcAuth(url("http://x.test/"), { env: { NETRC: "~/custom.netrc" }, homedir: dir }), [
      "env",
      "e",
    ]);
    assert.equal(
      netrcAuth(url("http://x.test/"), { env: { NETRC: join(dir, "absent") }, homedir: dir }),
      null,
    );
  });

  test("~/_netrc is used when ~/.netrc does not exist; HOME is the default home", () => {
    const dir = home({ _netrc: "machine x.test login under password score\n" });
    assert.deepEqual(netrcAuth(url("http://x.test/"), { env: {}, homedir: dir }), ["under", "score"]);
    assert.deepEqual(netrcAuth(url("http://x.test/"), { env: { HOME: dir } }), ["under", "score"]);
    assert.equal(netrcAuth(url("http://x.test/"), { env: {}, homedir: home({}) }), null, "no file at all");
  });

  test("a malformed or unreadable file gives null instead of throwing", () => {
    const bad = home({ ".netrc": "machine x.test login a password b\nbogus token\n" });
    assert.equal(netrcAuth(url("http://x.test/"), { env: {}, homedir: bad }), null);
    const badFollower = home({ ".netrc": "machine x.test login a secret b\n" });
    assert.equal(netrcAuth(url("http://x.test/"), { env: {}, homedir: badFollower }), null);
    const noName = home({ ".netrc": "machine" });
    assert.equal(netrcAuth(url("http://x.test/"), { env: {}, homedir: noName }), null);
    const dirAsFile = home({});
    mkdirSync(join(dirAsFile, ".netrc"));
    assert.equal(netrcAuth(url("http://x.test/"), { env: {}, homedir: dirAsFile }), null);
    if (process.getuid?.() !== 0) {
      const locked = home({ ".netrc": "default login a password b\n" });
      chmodSync(join(locked, ".netrc"), 0o000);
      assert.equal(netrcAuth(url("http://x.test/"), { env: {}, homedir: locked }), null);
    }
  });

  test("an edited file is re-read (cache keyed by mtime and size)", () => {
    const dir = home({ ".netrc": "default login one password 1\n" });
    const options = { env: {}, homedir: dir };
    assert.deepEqual(netrcAuth(url("http://x.test/"), options), ["one", "1"]);
    writeFileSync(join(dir, ".netrc"), "default login two password 22\n");
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, ".netrc"), later, later);
    assert.deepEqual(netrcAuth(url("http://x.test/"), options), ["two", "22"]);
  });

  test("IPv6 hosts match without brackets", () => {
    const dir = home({ ".netrc": "machine ::1 login six password v6\n" });
    assert.deepEqual(netrcAuth(url("http://[::1]:8080/"), { env: {}, homedir: dir }), ["six", "v6"]);
  });
});

describe("parseNetrc grammar", () => {
  test("tokens split on any whitespace; quotes and backslash escapes; account stands in for login", () => {
    const entries = parseNetrc(
      'machine a.test\tlogin "john doe"  password "pa ss\\"word"\r\n' +
        "machine b.test account acct password p\\ q\n" +
        "machine c.test login first password 1 machine c.test login second password 2\n",
    );
    assert.ok(entries);
    assert.deepEqual(entries.get("a.test"), ["john doe", "", 'pa ss"word']);
    assert.deepEqual(entries.get("b.test"), ["", "acct", "p q"]);
    assert.deepEqual(entries.get("c.test"), ["second", "", "2"], "a later entry wins, as in Python");
    const dir = home({ ".netrc": "machine b.test account acct password pw\n" });
    assert.deepEqual(netrcAuth(url("http://b.test/"), { env: {}, homedir: dir }), ["acct", "pw"]);
  });

  test("macdef bodies run to a blank line (or the end); comments are skipped", () => {
    const entries = parseNetrc(
      [
        "# a comment line with machine words",
        "macdef init",
        "cd /pub",
        "machine evil.test login x password y",
        "",
        "machine real.test login r password s # trailing comment login z",
        "#another",
        "default login d password e",
        "macdef tail",
        "binary",
      ].join("\n"),
    );
    assert.ok(entries);
    assert.equal(entries.has("evil.test"), false, "lines of a macro are not entries");
    assert.deepEqual(entries.get("real.test"), ["r", "", "s"]);
    assert.deepEqual(entries.get(" default"), ["d", "", "e"]);
  });

  test("a password that starts with # is a value, not a comment", () => {
    assert.deepEqual(parseNetrc("machine h login u password #hash\n")?.get("h"), ["u", "", "#hash"]);
  });

  test("a machine named default does not stand in for the default entry", () => {
    const dir = home({ ".netrc": "machine default login m password n\n" });
    assert.equal(netrcAuth(url("http://x.test/"), { env: {}, homedir: dir }), null);
  });
});
