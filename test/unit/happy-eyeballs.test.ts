import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { orderAddresses } from "../../src/net/happy-eyeballs.ts";

const v4 = (address: string) => ({ address, family: 4 });
const v6 = (address: string) => ({ address, family: 6 });
const none = { disableIpv4: false, disableIpv6: false };

describe("orderAddresses (RFC 8305 §4)", () => {
  test("alternates families, IPv6 first, keeping the resolver's order within a family", () => {
    const out = orderAddresses(
      [v4("10.0.0.1"), v4("10.0.0.2"), v6("2001:db8::1"), v4("10.0.0.3"), v6("2001:db8::2")],
      none,
    );
    assert.deepEqual(
      out.map((a) => a.address),
      ["2001:db8::1", "10.0.0.1", "2001:db8::2", "10.0.0.2", "10.0.0.3"],
    );
  });

  test("one family only keeps its order", () => {
    assert.deepEqual(
      orderAddresses([v4("10.0.0.2"), v4("10.0.0.1")], none).map((a) => a.address),
      ["10.0.0.2", "10.0.0.1"],
    );
  });

  test("drops duplicates and disabled families; infers the family from the address", () => {
    const list = [v4("10.0.0.1"), v4("10.0.0.1"), { address: "::1", family: 0 }, v6("::1")];
    assert.deepEqual(orderAddresses(list, none), [v6("::1"), v4("10.0.0.1")]);
    assert.deepEqual(orderAddresses(list, { disableIpv4: false, disableIpv6: true }), [v4("10.0.0.1")]);
    assert.deepEqual(orderAddresses(list, { disableIpv4: true, disableIpv6: false }), [v6("::1")]);
    assert.deepEqual(orderAddresses([], none), []);
  });
});
