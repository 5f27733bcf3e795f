// The userinfo fallback against a provider that answers badly: every odd answer means "not known", never a name.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { userinfoIdentity } from "./userinfo";

const PORT = 3511;
const issuer = `http://127.0.0.1:${PORT}`;
let server: Server;
let answer: { status: number; type: string; body: string } = { status: 200, type: "application/json", body: "{}" };

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/.well-known/openid-configuration") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ issuer, token_endpoint: `${issuer}/token`, userinfo_endpoint: `${issuer}/userinfo` }));
      return;
    }
    res.statusCode = answer.status;
    res.setHeader("content-type", answer.type);
    res.end(req.headers.authorization === "Bearer the-token" ? answer.body : "{}");
  });
  await new Promise<void>((resolve) => server.listen(PORT, "127.0.0.1", resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const app = { preset: "generic", issuer };

it("names the account of the provider's userinfo answer, sent the access token", async () => {
  answer = { status: 200, type: "application/json", body: JSON.stringify({ sub: "1", email: "carol@example.org" }) };
  expect(await userinfoIdentity(app, "the-token")).toBe("carol@example.org");
});

it("knows nobody from a refusal, a web page, an answer too long, or JSON naming no one", async () => {
  for (const bad of [
    { status: 401, type: "application/json", body: JSON.stringify({ email: "carol@example.org" }) },
    { status: 200, type: "text/html", body: "<p>carol@example.org</p>" },
    {
      status: 200,
      type: "application/json",
      body: JSON.stringify({ email: "carol@example.org", pad: "x".repeat(70_000) }),
    },
    { status: 200, type: "application/json", body: JSON.stringify({ sub: "1" }) },
    { status: 200, type: "application/json", body: "not json" },
  ]) {
    answer = bad;
    expect(await userinfoIdentity(app, "the-token"), bad.type + bad.status).toBeNull();
  }
});

it("asks no one for Microsoft (Graph is out of reach of a mail token) or without an issuer", async () => {
  answer = { status: 200, type: "application/json", body: JSON.stringify({ email: "carol@example.org" }) };
  expect(await userinfoIdentity({ preset: "microsoft", issuer }, "the-token")).toBeNull();
  expect(await userinfoIdentity({ preset: "generic", issuer: null }, "the-token")).toBeNull();
});
