import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { inspect } from "node:util";
import fc from "fast-check";
import { CaseInsensitiveDict } from "../../src/models/case-insensitive-dict.ts";
import type { HeaderList } from "../../src/protocols/events.ts";

describe("CaseInsensitiveDict construction", () => {
  test("from a record: null/undefined skipped, numbers stringified, arrays kept apart", () => {
    const h = new CaseInsensitiveDict({
      "Content-Type": "text/html",
      "Content-Length": 42,
      "X-Skip": null,
      "X-Undef": undefined,
      "Set-Cookie": ["a=1", "b=2"],
    });
    assert.equal(h.size, 3);
    assert.equal(h.get("content-length"), "42");
    assert.equal(h.has("x-skip"), false);
    assert.deepEqual(h.getAll("set-cookie"), ["a=1", "b=2"]);
  });

  test("from pairs, a HeaderList, a Map and WHATWG Headers", () => {
    const pairs: HeaderList = [
      ["Accept", "a"],
      ["accept", "b"],
    ];
    assert.deepEqual(new CaseInsensitiveDict(pairs).getAll("ACCEPT"), ["a", "b"]);
    assert.equal(new CaseInsensitiveDict(new Map([["X-A", "1"]])).get("x-a"), "1");
    const headers = new Headers();
    headers.append("Set-Cookie", "a=1");
    headers.append("Set-Cookie", "b=2");
    headers.set("X-Thing", "yes");
    const h = new CaseInsensitiveDict(headers);
    assert.deepEqual(h.getAll("set-cookie"), ["a=1", "b=2"]);
    assert.equal(h.get("x-thing"), "yes");
  });

  test("from another dict: an independent copy with multi-values", () => {
    const a = new CaseInsensitiveDict([
      ["Set-Cookie", "a=1"],
      ["Set-Cookie", "b=2"],
    ]);
    const b = new CaseInsensitiveDict(a);
    b.append("set-cookie", "c=3");
    assert.deepEqual(a.getAll("set-cookie"), ["a=1", "b=2"]);
    assert.deepEqual(b.getAll("set-cookie"), ["a=1", "b=2", "c=3"]);
  });

  test("malformed pairs are a TypeError", () => {
    assert.throws(() => new CaseInsensitiveDict([["only-name"]] as unknown as HeaderList), TypeError);
    assert.throws(() => new CaseInsensitiveDict("nope" as unknown as HeaderList), TypeError);
  });
});

describe("lookup and mutation", () => {
  test("case-insensitive get; several values joined with ', '", () => {
    const h = new CaseInsensitiveDict([
      ["Vary", "Accept"],
      ["VARY", "Cookie"],
    ]);
    assert.equal(h.get("vary"), "Accept, Cookie");
    assert.equal(h.get("missing"), null);
    assert.deepEqual(h.getAll("missing"), []);
  });

  test("set replaces every value and keeps the first-set spelling", () => {
    const h = new CaseInsensitiveDict({ "Content-Type": "text/plain" });
    h.set("content-type", "application/json");
    assert.deepEqual([...h.keys()], ["Content-Type"]);
    assert.equal(h.get("CONTENT-TYPE"), "application/json");
    h.delete("CONTENT-TYPE");
    h.set("content-TYPE", "x");
    assert.deepEqual([...h.keys()], ["content-TYPE"]);
  });

  test("append adds; set with an empty list removes", () => {
    const h = new CaseInsensitiveDict();
    h.append("Set-Cookie", "a=1").append("set-cookie", "b=2");
    assert.deepEqual(h.getAll("SET-COOKIE"), ["a=1", "b=2"]);
    h.set("set-cookie", []);
    assert.equal(h.has("set-cookie"), false);
  });

  test("has, delete, size", () => {
    const h = new CaseInsensitiveDict({ A: "1", B: "2" });
    assert.equal(h.has("a"), true);
    assert.equal(h.delete("a"), true);
    assert.equal(h.delete("a"), false);
    assert.equal(h.size, 1);
  });

  test("update sets each header of the other, replacing", () => {
    const h = new CaseInsensitiveDict({ Accept: "*/*", "User-Agent": "x" });
    h.update({ accept: "text/html", "X-New": ["1", "2"] });
    assert.deepEqual(h.toJSON(), { Accept: "text/html", "User-Agent": "x", "X-New": "1, 2" });
  });
});

describe("iteration and export", () => {
  const make = (): CaseInsensitiveDict =>
    CaseInsensitiveDict.fromList([
      ["Date", "today"],
      ["Set-Cookie", "a=1"],
      ["Content-Type", "text/html"],
      ["set-cookie", "b=2"],
    ]);

  test("entries in first-set order, one per name with joined values", () => {
    const h = make();
    assert.deepEqual(
      [...h],
      [
        ["Date", "today"],
        ["Set-Cookie", "a=1, b=2"],
        ["Content-Type", "text/html"],
      ],
    );
    assert.deepEqual([...h.keys()], ["Date", "Set-Cookie", "Content-Type"]);
    assert.deepEqual([...h.values()], ["today", "a=1, b=2", "text/html"]);
    assert.deepEqual([...h.entries()], [...h]);
    assert.deepEqual(
      [...h.lowerItems()],
      [
        ["date", "today"],
        ["set-cookie", "a=1, b=2"],
        ["content-type", "text/html"],
      ],
    );
    const seen: string[] = [];
    h.forEach((value, name) => {
      seen.push(`${name}=${value}`);
    });
    assert.deepEqual(seen, ["Date=today", "Set-Cookie=a=1, b=2", "Content-Type=text/html"]);
  });

  test("toList keeps exact wire order until a change, then groups by name", () => {
    const h = make();
    h.get("content-type");
    assert.deepEqual(h.toList(), [
      ["Date", "today"],
      ["Set-Cookie", "a=1"],
      ["Content-Type", "text/html"],
      ["set-cookie", "b=2"],
    ]);
    h.set("X-Added", "1");
    assert.deepEqual(h.toList(), [
      ["Date", "today"],
      ["Set-Cookie", "a=1"],
      ["Set-Cookie", "b=2"],
      ["Content-Type", "text/html"],
      ["X-Added", "1"],
    ]);
  });

  test("toList returns a copy", () => {
    const h = make();
    h.toList().push(["X", "y"]);
    assert.equal(h.has("x"), false);
  });

  test("toJSON, JSON.stringify, toString, inspect", () => {
    const h = new CaseInsensitiveDict({ Accept: "*/*" });
    assert.deepEqual(h.toJSON(), { Accept: "*/*" });
    assert.equal(JSON.stringify(h), '{"Accept":"*/*"}');
    assert.equal(String(h), '{"Accept":"*/*"}');
    assert.equal(inspect(h), "CaseInsensitiveDict { Accept: '*/*' }");
    assert.equal(Object.prototype.toString.call(h), "[object CaseInsensitiveDict]");
  });

  test("toJSON cannot be steered into the prototype", () => {
    const json = new CaseInsensitiveDict([["__proto__", "x"]]).toJSON();
    assert.equal(Object.getPrototypeOf(json), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(json, "__proto__")?.value, "x");
  });

  test("copy is independent", () => {
    const a = make();
    const b = a.copy();
    b.delete("date");
    assert.equal(a.get("date"), "today");
    assert.equal(b.get("date"), null);
  });
});

describe("equals", () => {
  test("case-insensitive names, same joined values, any order", () => {
    const a = new CaseInsensitiveDict({ Accept: "*/*", "X-A": "1" });
    assert.equal(a.equals({ "x-a": "1", ACCEPT: "*/*" }), true);
    assert.equal(a.equals(new CaseInsensitiveDict({ accept: "*/*", "x-a": "1" })), true);
    assert.equal(a.equals({ Accept: "*/*" }), false);
    assert.equal(a.equals({ Accept: "*/*", "X-A": "2" }), false);
    assert.equal(a.equals(null), false);
  });
});

describe("fromList: the lazy response path", () => {
  const names = ["Content-Type", "content-type", "Set-Cookie", "SET-COOKIE", "Vary", "X-Id"];
  const listArb = fc.array(fc.tuple(fc.constantFrom(...names), fc.string({ maxLength: 5 })), {
    maxLength: 40,
  });

  function expectedGet(list: HeaderList, name: string): string | null {
    const values = list.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
    return values.length === 0 ? null : values.join(", ");
  }

  test("every lookup agrees with a naive model, on both the scan and index paths", () => {
    fc.assert(
      fc.property(listArb, fc.integer({ min: 1, max: 40 }), (list, rounds) => {
        const h = CaseInsensitiveDict.fromList(list.map(([n, v]) => [n, v] as [string, string]));
        // Enough rounds to cross from scanning to the index part-way.
        for (let i = 0; i < rounds; i++) {
          for (const name of ["content-type", "set-cookie", "VARY", "missing"]) {
            assert.equal(h.get(name), expectedGet(list, name));
            assert.equal(h.has(name), expectedGet(list, name) !== null);
            assert.deepEqual(
              h.getAll(name),
              list.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v),
            );
          }
        }
        assert.equal(h.size, new Set(list.map(([n]) => n.toLowerCase())).size);
      }),
    );
  });

  test("a long list (past the scan limit) is answered through the index", () => {
    const list: HeaderList = Array.from({ length: 50 }, (_, i) => [`X-H${i}`, String(i)] as [string, string]);
    const h = CaseInsensitiveDict.fromList(list);
    assert.equal(h.get("x-h49"), "49");
    assert.equal(h.size, 50);
  });

  test("a lookup-heavy caller gets the same answers after the switch to the index", () => {
    const h = CaseInsensitiveDict.fromList([
      ["A", "1"],
      ["a", "2"],
    ]);
    for (let i = 0; i < 40; i++) assert.equal(h.get("A"), "1, 2");
    h.append("a", "3");
    assert.deepEqual(h.getAll("a"), ["1", "2", "3"]);
  });
});
