// The Requests list over 100,000 requests: server-side pages in order, search by subject and sender, filters
// by mailbox and status (the order and the filters run on indexed columns).
import { randomUUID } from "node:crypto";
import Database from "libsql";
import { beforeAll, expect, it } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";

const TOTAL = 100_000;

let requests: typeof import("./index");
let database: typeof import("@/lib/db");
let mailboxes: { a: string; b: string };

beforeAll(async () => {
  await useTestDatabase();
  requests = await import("./index");
  database = await import("@/lib/db");
  const { config } = await import("@/lib/config");
  const make = (name: string) => database.db().incomingMailbox.create({ data: { name, protocol: "imaps" } });
  mailboxes = { a: (await make("A")).id, b: (await make("B")).id };
  const file = config().database.provider === "sqlite" ? (config().database as { file: string }).file : "";
  const conn = new Database(file);
  const insert = conn.prepare(
    `INSERT INTO "Request" ("id", "number", "mailboxId", "subject", "fromAddress", "fromName", "status", "messageCount", "lastMessageAt", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, '', ?, 1, ?, ?, ?)`,
  );
  const start = Date.UTC(2026, 0, 1);
  conn.transaction(() => {
    for (let n = 1; n <= TOTAL; n++) {
      const at = new Date(start + n * 60_000).toISOString().replace("Z", "+00:00");
      insert.run(
        randomUUID(),
        n,
        n % 2 ? mailboxes.a : mailboxes.b,
        n === 77_777 ? "Printer on fire" : `Question ${n}`,
        `user${n % 1000}@example.org`,
        n % 10 === 0 ? "closed" : "open",
        at,
        at,
        at,
      );
    }
  })();
  conn.close();
});

it("pages, searches and filters 100,000 requests on the server", async () => {
  const started = performance.now();
  const first = await requests.listRequests({ page: 1 });
  expect(first.total).toBe(TOTAL);
  expect(first.rows).toHaveLength(requests.PAGE_SIZE);
  expect(first.rows[0].number).toBe(TOTAL);
  const last = await requests.listRequests({ page: first.pages });
  expect(last.rows.at(-1)?.number).toBe(1);

  expect((await requests.listRequests({ page: 1, q: "printer on" })).rows.map((r) => r.number)).toEqual([77_777]);
  const bySender = await requests.listRequests({ page: 1, q: "user42@example.org" });
  expect(bySender.total).toBe(100);
  const filtered = await requests.listRequests({ page: 2, mailbox: mailboxes.b, status: "closed" });
  expect(filtered.total).toBe(TOTAL / 10);
  expect(filtered.rows.every((r) => r.mailbox?.name === "B" && r.status === "closed")).toBe(true);
  console.log(`Requests list over ${TOTAL} requests: 6 queries in ${Math.round(performance.now() - started)} ms`);
});

it("reads the list query from the page's search parameters, ignoring what does not fit", () => {
  expect(requests.requestListQuerySchema.parse({ q: " vpn ", status: "bogus", page: "-3" })).toEqual({
    q: "vpn",
    page: 1,
    status: undefined,
    mailbox: undefined,
  });
});
