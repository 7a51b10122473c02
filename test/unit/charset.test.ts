import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  charsetFromContentType,
  decodeText,
  detectEncoding,
  normalizeEncoding,
} from "../../src/models/charset.ts";

const FRENCH =
  "Le château de Versailles, où résidaient les rois de France, est célèbre pour sa galerie des " +
  "Glaces. Les élèves étudièrent l'histoire à côté du théâtre ; ils ont été très intéressés par les " +
  "fêtes données à la cour. Ça coûte cher, mais c'était magnifique, déclara le garçon ému.";
const JAPANESE =
  "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所で" +
  "ニャーニャー泣いていた事だけは記憶している。吾輩はここで始めて人間というものを見た。";
/** JAPANESE in Shift_JIS (made with `iconv -t shift_jis`; Node cannot encode it). */
const JAPANESE_SJIS = Buffer.from(
  "jOGUeYLNlEyCxYKggumBQpa8kU+CzYLcgr6Ws4KigUKCx4KxgsWQtoLqgr2CqYLGgvGCxoypk5aCqoLCgqmCyoFCib2CxYLglJaIw4KigraC" +
    "34K2gt+CtYK9j4qCxYNqg4OBW4Nqg4OBW4uDgqKCxIKigr2OloK+gq+CzYtMia+CtYLEgqKC6YFCjOGUeYLNgrGCsYLFjm6C34LEkGyK1ILG" +
    "gqKCpILggsyC8Iypgr2BQg==",
  "base64",
);
const CHINESE =
  "中华人民共和国是世界上人口最多的国家之一，拥有悠久的历史和灿烂的文化。长城是中国古代最伟大的建筑工程，" +
  "每年吸引着成千上万的游客前来参观。";
/** CHINESE in GB2312 (made with `iconv -t gb2312`). */
const CHINESE_GB2312 = Buffer.from(
  "1tC7qsjLw/G5srrNufrKx8rAvefJz8jLv9rX7rbgtcS5+rzS1q7Su6Os07XT0NPGvsO1xMD6yre6zbLTwMO1xM7Eu6+ho7Oks8fKx9bQufq5" +
    "xbT61+7OsLTztcS9qNb+uaSzzKOsw7/E6s780v3XxbPJx6fJz83ytcTTzr/Nx7DAtLLOuduhow==",
  "base64",
);

/** Deterministic pseudo-random bytes (xorshift), standing in for binary content. */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe("charsetFromContentType", () => {
  const cases: Array<[string | null, string | null]> = [
    [null, null],
    ["text/html", null],
    ["text/html; charset=UTF-8", "UTF-8"],
    ["text/html;charset=utf-8", "utf-8"],
    ['text/html; charset="iso-8859-1"', "iso-8859-1"],
    ["text/html; charset='utf-8'", "utf-8"],
    ["text/plain; format=flowed; CHARSET=Shift_JIS", "Shift_JIS"],
    ["text/plain; flag; charset=koi8-r", "koi8-r"],
    ['text/plain; title="a;b=c"; charset=latin1', "latin1"],
    ['text/plain; title="say \\"hi\\"; charset=wrong"; charset=gbk', "gbk"],
    ["text/plain; charset=", null],
    ["application/json", "utf-8"],
    ["Application/JSON ; foo=bar", "utf-8"],
    ["application/problem+json", "utf-8"],
    ["application/json; charset=latin1", "latin1"],
  ];
  for (const [input, expected] of cases) {
    test(`${String(input)} -> ${String(expected)}`, () => {
      assert.equal(charsetFromContentType(input), expected);
    });
  }
});

describe("decodeText", () => {
  test("the declared charset wins, decoded leniently", () => {
    assert.deepEqual(decodeText(Buffer.from("café", "latin1"), "ISO-8859-1"), {
      text: "café",
      encoding: "windows-1252",
    });
    const invalid = Uint8Array.from([0x61, 0xff, 0x62]);
    assert.deepEqual(decodeText(invalid, "utf-8"), { text: "a\ufffdb", encoding: "utf-8" });
    // Declared beats what the bytes look like.
    assert.equal(decodeText(Buffer.from("café"), "windows-1252").text, "cafÃ©");
  });

  test("latin1, iso-8859-1 and windows-1252 decode every byte as WHATWG windows-1252 does", () => {
    // Node 20's TextDecoder drops bytes 0x80-0x9F for this encoding; none may go missing here.
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const label of ["latin1", "ISO-8859-1", "windows-1252", "us-ascii"]) {
      const { text, encoding } = decodeText(all, label);
      assert.equal(encoding, "windows-1252");
      assert.equal(text?.length, 256, label);
      const points = [...text!].map((c) => c.codePointAt(0));
      // Outside 0x80-0x9F every byte is its own code point.
      for (let i = 0; i < 256; i++) if (i < 0x80 || i > 0x9f) assert.equal(points[i], i);
      // The C1 range maps per the WHATWG index; five holes stay C1 controls.
      assert.equal(points[0x80], 0x20ac); // €
      assert.equal(points[0x85], 0x2026); // …
      assert.equal(points[0x93], 0x201c); // “
      assert.equal(points[0x94], 0x201d); // ”
      assert.equal(points[0x99], 0x2122); // ™
      assert.equal(points[0x9f], 0x0178); // Ÿ
      for (const hole of [0x81, 0x8d, 0x8f, 0x90, 0x9d]) assert.equal(points[hole], hole);
    }
  });

  test("an unknown declared charset falls back to detection", () => {
    assert.deepEqual(decodeText(Buffer.from("héllo"), "x-no-such-charset"), {
      text: "héllo",
      encoding: "utf-8",
    });
  });

  test("a BOM decides when nothing is declared", () => {
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("naïve")]);
    assert.deepEqual(decodeText(utf8, null), { text: "naïve", encoding: "utf-8" });
    const le = Buffer.from("\ufeffhello wörld", "utf16le");
    assert.deepEqual(decodeText(le, null), { text: "hello wörld", encoding: "utf-16le" });
    const be = Buffer.from(le).swap16();
    assert.deepEqual(decodeText(be, null), { text: "hello wörld", encoding: "utf-16be" });
  });

  test("valid UTF-8 and ASCII are utf-8; empty is the empty string", () => {
    assert.deepEqual(decodeText(Buffer.from("Ζωή — 生活 — 🙂"), null), {
      text: "Ζωή — 生活 — 🙂",
      encoding: "utf-8",
    });
    assert.deepEqual(decodeText(Buffer.from("plain ascii"), null), {
      text: "plain ascii",
      encoding: "utf-8",
    });
    assert.equal(decodeText(new Uint8Array(0), null).text, "");
  });

  test("JSON without charset is UTF-8", () => {
    const body = Buffer.from('{"name":"Zoë"}');
    assert.equal(decodeText(body, charsetFromContentType("application/json")).text, '{"name":"Zoë"}');
  });

  test("a French paragraph in latin-1 is detected", () => {
    assert.deepEqual(decodeText(Buffer.from(FRENCH, "latin1"), null), {
      text: FRENCH,
      encoding: "windows-1252",
    });
  });

  test("Japanese in Shift_JIS is detected", () => {
    assert.deepEqual(decodeText(JAPANESE_SJIS, null), { text: JAPANESE, encoding: "shift_jis" });
  });

  test("Chinese in GB2312 is detected (decoded as its superset GB18030)", () => {
    assert.deepEqual(decodeText(CHINESE_GB2312, null), { text: CHINESE, encoding: "gb18030" });
  });

  test("binary content gives no text", () => {
    for (const seed of [1, 42, 2024, 987654321]) {
      assert.deepEqual(decodeText(noise(4096, seed), null), { text: null, encoding: null }, `seed ${seed}`);
    }
    const withNuls = Uint8Array.from({ length: 2048 }, (_, i) => (i % 3 === 0 ? 0 : 0x80 + (i % 100)));
    assert.deepEqual(decodeText(withNuls, null), { text: null, encoding: null });
  });
});

describe("detectEncoding", () => {
  test("ignores declarations and reports what the bytes are", () => {
    assert.equal(detectEncoding(Buffer.from(FRENCH, "latin1")), "windows-1252");
    assert.equal(detectEncoding(JAPANESE_SJIS), "shift_jis");
    assert.equal(detectEncoding(Buffer.from(FRENCH)), "utf-8");
    assert.equal(detectEncoding(Buffer.from("\ufeffhi", "utf16le")), "utf-16le");
    assert.equal(detectEncoding(new Uint8Array(0)), "utf-8");
    assert.equal(detectEncoding(noise(4096, 7)), null);
  });
});

describe("normalizeEncoding", () => {
  test("canonical WHATWG names, null when unsupported", () => {
    assert.equal(normalizeEncoding("latin1"), "windows-1252");
    assert.equal(normalizeEncoding(" UTF8 "), "utf-8");
    assert.equal(normalizeEncoding("sjis"), "shift_jis");
    assert.equal(normalizeEncoding("x-bogus"), null);
  });
});
