// Two outbox workers on one PostgreSQL database (as with several worker processes): every queued message is
// claimed by exactly one of them and reaches the server once.
import { beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { useTestDatabase } from "@/e2e/support/test-db";
import { readSink } from "@/e2e/rig/mailbox";
import { db } from "@/lib/db";
import { testRig } from "@/e2e/support/mail-fixtures";
import { rigSmtpsFormValues, uniqueSubject, waitForDelivered } from "@/e2e/support/outgoing-fixtures";

const rig = testRig();
let outgoing: typeof import("./index");

beforeAll(async () => {
  process.env.MAILBRIDGE_EXTRA_CA_FILE = rig.caFile;
  await useTestDatabase({ databaseUrl: await createPostgresDatabase() });
  outgoing = await import("./index");
  const schema = await import("./form-schema");
  await outgoing.saveOutgoing(
    schema.outgoingFormSchema.parse(rigSmtpsFormValues(rig)),
    (await db().user.create({ data: { email: "admin@example.test", passwordHash: "x", role: "admin" } })).id,
  );
});

describe("two outbox workers on PostgreSQL", () => {
  it("send each queued message exactly once", async () => {
    const subjects = Array.from({ length: 6 }, (_, i) => uniqueSubject(`pg worker ${i}`));
    for (const subject of subjects)
      await outgoing.enqueueMail({
        kind: "notice",
        idempotencyKey: subject,
        to: ["customer@example.org"],
        subject,
        text: "once",
      });
    const workers = [
      outgoing.startOutboxWorker({ pollMs: 60_000, owner: "worker-a" }),
      outgoing.startOutboxWorker({ pollMs: 60_000, owner: "worker-b" }),
    ];
    try {
      await Promise.all(workers.map((w) => w.tick()));
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    const rows = await db().outboxMessage.findMany({ where: { subject: { in: subjects } } });
    expect(rows.map((r) => [r.state, r.attempts])).toEqual(subjects.map(() => ["sent", 1]));
    for (const subject of subjects) await waitForDelivered(rig, (m) => m.subject === subject);
    await new Promise((r) => setTimeout(r, 500));
    const sink = await readSink(rig);
    for (const subject of subjects)
      expect(
        sink.filter((m) => m.subject === subject),
        subject,
      ).toHaveLength(1);
  });
});
