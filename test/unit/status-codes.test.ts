import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { codes, reasonPhrase, type StatusCodeName } from "../../src/models/status-codes.ts";

describe("codes", () => {
  test("common names, lower and upper case", () => {
    const expected: Array<[StatusCodeName, number]> = [
      ["continue", 100],
      ["switching_protocols", 101],
      ["early_hints", 103],
      ["ok", 200],
      ["OK", 200],
      ["okay", 200],
      ["all_ok", 200],
      ["created", 201],
      ["accepted", 202],
      ["no_content", 204],
      ["moved_permanently", 301],
      ["moved", 301],
      ["found", 302],
      ["see_other", 303],
      ["other", 303],
      ["not_modified", 304],
      ["temporary_redirect", 307],
      ["permanent_redirect", 308],
      ["bad_request", 400],
      ["unauthorized", 401],
      ["forbidden", 403],
      ["not_found", 404],
      ["NOT_FOUND", 404],
      ["method_not_allowed", 405],
      ["request_timeout", 408],
      ["teapot", 418],
      ["i_am_a_teapot", 418],
      ["IM_A_TEAPOT", 418],
      ["unprocessable_entity", 422],
      ["too_early", 425],
      ["too_many_requests", 429],
      ["TOO_MANY_REQUESTS", 429],
      ["unavailable_for_legal_reasons", 451],
      ["internal_server_error", 500],
      ["bad_gateway", 502],
      ["service_unavailable", 503],
      ["gateway_timeout", 504],
      ["network_authentication_required", 511],
    ];
    for (const [name, status] of expected) assert.equal(codes[name], status, name);
  });

  test("Requests' odd aliases", () => {
    assert.equal(codes["\\o/"], 200);
    assert.equal(codes["✓"], 200);
    assert.equal(codes["\\o-"], 301);
    assert.equal(codes["-o-"], 404);
    assert.equal(codes["-O-"], 404);
    assert.equal(codes["/o\\"], 500);
    assert.equal(codes["✗"], 500);
    // A name starting with a slash or backslash has no upper-case twin.
    assert.equal(Object.hasOwn(codes, "\\O/"), false);
    assert.equal(Object.hasOwn(codes, "/O\\"), false);
  });

  test("a name two statuses share goes to the later one, as in Requests", () => {
    assert.equal(codes.precondition, 428);
    assert.equal(codes.PRECONDITION, 428);
    assert.equal(codes.precondition_failed, 412);
  });

  test("every name has its upper-case twin with the same value", () => {
    for (const [name, status] of Object.entries(codes)) {
      if (name.startsWith("\\") || name.startsWith("/")) continue;
      assert.equal((codes as Record<string, number>)[name.toUpperCase()], status, name);
      assert.ok(status >= 100 && status <= 599, name);
    }
  });

  test("frozen", () => {
    assert.ok(Object.isFrozen(codes));
    assert.throws(() => {
      (codes as Record<string, number>).ok = 201;
    }, TypeError);
  });

  test("typos do not type-check", () => {
    // @ts-expect-error: not a status name
    const missing: number = codes.not_fonud;
    assert.equal(missing, undefined);
  });
});

describe("reasonPhrase", () => {
  test("standard phrases", () => {
    assert.equal(reasonPhrase(200), "OK");
    assert.equal(reasonPhrase(201), "Created");
    assert.equal(reasonPhrase(204), "No Content");
    assert.equal(reasonPhrase(301), "Moved Permanently");
    assert.equal(reasonPhrase(304), "Not Modified");
    assert.equal(reasonPhrase(404), "Not Found");
    assert.equal(reasonPhrase(418), "I'm a Teapot");
    assert.equal(reasonPhrase(429), "Too Many Requests");
    assert.equal(reasonPhrase(500), "Internal Server Error");
    assert.equal(reasonPhrase(503), "Service Unavailable");
  });

  test("a phrase for every status `codes` names that is registered", () => {
    for (const status of new Set(Object.values(codes))) {
      const nonStandard = [122, 306, 444, 449, 450, 499, 509];
      if (nonStandard.includes(status)) assert.equal(reasonPhrase(status), "", String(status));
      else assert.notEqual(reasonPhrase(status), "", String(status));
    }
  });

  test("unregistered statuses give an empty phrase", () => {
    assert.equal(reasonPhrase(299), "");
    assert.equal(reasonPhrase(799), "");
  });
});
