/**
 * How to unit-test your own code that uses niquests, without a server: mount a MockTransport on
 * the Session your code receives. Run it with `node --import tsx --test examples/mock-transport.test.ts`.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { HTTPError, MockTransport, Session } from "../src/index.ts";

/** The code under test: looks a user up and returns their display name. */
async function displayName(session: Session, id: number): Promise<string> {
  const r = await session.get(`https://api.example.test/users/${id}`, {
    headers: { Accept: "application/json" },
  });
  const user = r.raiseForStatus().json<{ first: string; last: string }>();
  return `${user.first} ${user.last}`;
}

function mockedSession(): { session: Session; mock: MockTransport } {
  const mock = new MockTransport((request) => {
    if (request.url.pathname === "/users/1") {
      return {
        status: 200,
        headers: { "Content-Type": "application/json" },
        body: '{"first":"Ada","last":"Lovelace"}',
      };
    }
    return { status: 404, body: "no such user" };
  });
  const session = new Session();
  session.mount("https://api.example.test/", mock);
  return { session, mock };
}

test("displayName joins first and last name", async () => {
  const { session, mock } = mockedSession();
  assert.equal(await displayName(session, 1), "Ada Lovelace");
  // The handler saw exactly what would have gone on the wire.
  const sent = mock.requests[0]!;
  assert.equal(sent.method, "GET");
  assert.ok(sent.headers.some(([name, value]) => name === "Accept" && value === "application/json"));
});

test("displayName surfaces a 404 as HTTPError", async () => {
  const { session } = mockedSession();
  await assert.rejects(
    displayName(session, 2),
    (error) => error instanceof HTTPError && error.response?.statusCode === 404,
  );
});
