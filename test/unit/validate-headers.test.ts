import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InvalidHeader } from "../../src/errors/errors.ts";
import {
  isValidHeaderName,
  isValidHeaderValue,
  validateHeaderName,
  validateHeaderValue,
} from "../../src/session/validate-headers.ts";

const isInvalidHeader = (e: unknown) => e instanceof InvalidHeader && e.code === "ERR_INVALID_HEADER";

describe("validateHeaderName", () => {
  test("accepts RFC 9110 tokens", () => {
    for (const name of ["Content-Type", "x", "X-Custom_Header.1", "!#$%&'*+-.^_`|~", "ETag"]) {
      assert.doesNotThrow(() => validateHeaderName(name), name);
    }
  });

  test("rejects empty names, separators, whitespace, CR/LF and non-ASCII", () => {
    for (const name of [
      "",
      "a b",
      " a",
      "a ",
      "a:b",
      "fo\ro",
      "fo\r\no",
      "fo\no",
      "a\0",
      "é",
      "a(b)",
      'a"',
      "a/b",
    ]) {
      assert.throws(() => validateHeaderName(name), isInvalidHeader, JSON.stringify(name));
    }
  });

  test("rejects non-string names", () => {
    assert.throws(() => validateHeaderName(42 as never), isInvalidHeader);
  });

  test("every ASCII code point is classified as the RFC token grammar says", () => {
    const tchar = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;
    for (let c = 0; c < 0x180; c++) {
      const ch = String.fromCharCode(c);
      assert.equal(isValidHeaderName(ch), tchar.test(ch), `U+${c.toString(16)}`);
    }
  });
});

describe("validateHeaderValue", () => {
  test("accepts ordinary values, inner tabs/spaces, trailing whitespace, latin1 and empty", () => {
    for (const value of [
      "text/html; charset=utf-8",
      "a\tb  c",
      "trailing ",
      "",
      "caf\u00e9",
      "\u00ff\u0080",
    ]) {
      assert.doesNotThrow(() => validateHeaderValue("X", value), JSON.stringify(value));
    }
  });

  test("rejects CR, LF and NUL anywhere", () => {
    for (const value of ["bar\r\nbaz: qux", "bar\n\rbaz", "bar\nbaz", "bar\rbaz", "a\0b", "\r"]) {
      assert.throws(() => validateHeaderValue("foo", value), isInvalidHeader, JSON.stringify(value));
    }
  });

  test("rejects other control characters and DEL", () => {
    for (const value of ["a\u0001", "a\u001f", "a\u007f", "a\u000b"]) {
      assert.throws(() => validateHeaderValue("foo", value), isInvalidHeader, JSON.stringify(value));
    }
  });

  test("rejects leading whitespace, as Requests does", () => {
    assert.throws(() => validateHeaderValue("foo", " bar"), isInvalidHeader);
    assert.throws(() => validateHeaderValue("foo", "\tbar"), isInvalidHeader);
  });

  test("rejects characters that do not fit in one byte", () => {
    assert.throws(() => validateHeaderValue("foo", "\u20ac5"), isInvalidHeader);
    assert.throws(() => validateHeaderValue("foo", "\u{1F600}"), isInvalidHeader);
  });

  test("the message names the header and position but never echoes the value", () => {
    try {
      validateHeaderValue("Authorization", "Bearer s3cret\r\nX: y");
      assert.fail("expected a throw");
    } catch (e) {
      assert.ok(isInvalidHeader(e));
      const message = (e as Error).message;
      assert.match(message, /Authorization/);
      assert.match(message, /U\+000D at index 13/);
      assert.doesNotMatch(message, /s3cret/);
    }
  });

  test("rejects non-string values", () => {
    assert.throws(() => validateHeaderValue("foo", 1 as never), isInvalidHeader);
  });

  test("single characters follow the field-value grammar (HTAB, SP, VCHAR, obs-text)", () => {
    const fieldVchar = /^[\x21-\x7e\x80-\xff]$/;
    for (let c = 0; c < 0x180; c++) {
      const ch = String.fromCharCode(c);
      // Alone, SP and HTAB are leading whitespace; after a visible char they are allowed.
      assert.equal(isValidHeaderValue(ch), fieldVchar.test(ch), `U+${c.toString(16)} alone`);
      assert.equal(
        isValidHeaderValue("a" + ch),
        fieldVchar.test(ch) || ch === " " || ch === "\t",
        `a+U+${c}`,
      );
    }
  });
});
