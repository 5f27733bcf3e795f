// Mailbox failure notices against the rig: a mailbox with a wrong password fails fetch after fetch, and the
// Contact Information address gets exactly one notice per incident through the outbox and Postfix; a
// successful fetch ends the incident, and the next run of failures is a new incident with a second notice.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { readSink } from "@/e2e/rig/mailbox";
import { useTestDatabase } from "@/e2e/support/test-db";
import { testRig } from "@/e2e/support/mail-fixtures";
import { createTestMailbox, type TestMailboxOptions } from "@/e2e/support/fetcher-fixtures";
import { createTestConnection } from "@/e2e/support/oauth-connection";
import { rigSmtpsFormValues, sendQueuedOnce, waitForDelivered } from "@/e2e/support/outgoing-fixtures";

const rig = testRig();
const alice = rig.auth.users.alice;
const contact = `ops-${randomBytes(4).toString("hex")}@example.org`;

let fetcher: typeof import("./index");
let outgoing: typeof import("@/lib/mail/outgoing");
let database: typeof import("@/lib/db");

beforeAll(async () => {
  process.env.MAILBRIDGE_EXTRA_CA_FILE = rig.caFile;
  await useTestDatabase();
  fetcher = await import("./index");
  outgoing = await import("@/lib/mail/outgoing");
  database = await import("@/lib/db");
  const schema = await import("@/lib/mail/outgoing/client");
  const admin = await database
    .db()
    .user.create({ data: { email: "admin@example.test", passwordHash: "x", role: "admin" } });
  await outgoing.saveOutgoing(
    schema.outgoingFormSchema.parse(rigSmtpsFormValues(rig, { contactEmail: contact })),
    admin.id,
  );
});

async function fetchFails(id: string) {
  const outcome = await fetcher.fetchMailbox(id);
  expect(outcome.status).toBe("failed");
}

async function notices(mailboxId: string) {
  return database.db().outboxMessage.findMany({
    where: { idempotencyKey: { startsWith: `mailbox-incident:${mailboxId}:` } },
    orderBy: { createdAt: "asc" },
  });
}

async function sunk(subjectPart: string) {
  return (await readSink(rig)).filter((m) => m.envelope.to.includes(contact) && m.subject.includes(subjectPart));
}

describe.each<TestMailboxOptions["protocol"]>(["imaps", "pop"])("a failing %s mailbox", (protocol) => {
  it("tells the contact once per incident, not once per attempt", async () => {
    const box = await createTestMailbox(rig, { protocol });
    const setPassword = (password: string) =>
      database.db().incomingMailbox.update({ where: { id: box.id }, data: { password } });
    await setPassword("wrong-password");

    for (let attempt = 1; attempt < fetcher.FAILURES_BEFORE_NOTICE; attempt++) await fetchFails(box.id);
    expect(await notices(box.id)).toHaveLength(0);
    await fetchFails(box.id);
    await fetchFails(box.id);
    const [first, ...more] = await notices(box.id);
    expect(more).toHaveLength(0);
    expect(first).toMatchObject({
      kind: "notice",
      toAddresses: JSON.stringify([contact]),
      subject: `Mailbridge cannot fetch mail from the mailbox ${box.name}`,
    });
    await sendQueuedOnce(outgoing, "incident-test");
    await waitForDelivered(rig, (m) => m.envelope.to.includes(contact) && m.subject.includes(box.name));
    const stored = await database.db().incomingMailbox.findUniqueOrThrow({ where: { id: box.id } });
    expect(stored).toMatchObject({ status: "failing", consecutiveFailures: fetcher.FAILURES_BEFORE_NOTICE + 1 });
    expect(stored.incidentSince).not.toBeNull();
    expect((await fetcher.mailboxHealth(box.id))?.incident).toEqual({
      since: stored.incidentSince,
      notifiedAt: stored.incidentNotifiedAt,
    });
    expect(stored.incidentNotifiedAt).not.toBeNull();

    // Recovery ends the incident ...
    await setPassword(alice.password);
    expect((await fetcher.fetchMailbox(box.id)).status).toBe("ok");
    expect(await database.db().incomingMailbox.findUniqueOrThrow({ where: { id: box.id } })).toMatchObject({
      status: "ok",
      incidentSince: null,
      incidentNotifiedAt: null,
    });
    expect((await fetcher.mailboxHealth(box.id))?.incident).toBeNull();

    // ... so failing again is a new incident, with a notice of its own.
    await setPassword("wrong-again");
    for (let attempt = 0; attempt < fetcher.FAILURES_BEFORE_NOTICE + 1; attempt++) await fetchFails(box.id);
    expect(await notices(box.id)).toHaveLength(2);
    await sendQueuedOnce(outgoing, "incident-test");
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < 40 && (await sunk(box.name)).length < 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 250));
    const delivered = await sunk(box.name);
    expect(delivered).toHaveLength(2);
    expect(delivered.every((m) => /Authentication\s+failed/.test(m.raw))).toBe(true);
    const [firstKey, secondKey] = (await notices(box.id)).map((n) => n.idempotencyKey);
    expect(secondKey).not.toBe(firstKey);
  });
});

describe("a mailbox whose OAuth connection needs a reconnect", () => {
  it("tells the contact at the first failed fetch, once", async () => {
    const connection = await createTestConnection(rig, {
      clientKey: "ropc",
      grantType: "refresh_token",
      refreshToken: "revoked-by-the-idp",
    });
    await database.db().oAuthConnection.update({
      where: { id: connection.id },
      data: { status: "reconnect_needed", statusReason: "invalid_grant" },
    });
    const box = await createTestMailbox(rig);
    await database.db().incomingMailbox.update({
      where: { id: box.id },
      data: { authType: "oauth", password: null, connectionId: connection.id },
    });

    await fetchFails(box.id);
    expect(await notices(box.id)).toMatchObject([{ subject: `Mailbridge: the mailbox ${box.name} needs a reconnect` }]);
    await fetchFails(box.id);
    expect(await notices(box.id)).toHaveLength(1);
    expect(await database.db().incomingMailbox.findUniqueOrThrow({ where: { id: box.id } })).toMatchObject({
      status: "reconnect_needed",
      consecutiveFailures: 2,
    });
    await sendQueuedOnce(outgoing, "incident-test");
    const sent = await waitForDelivered(
      rig,
      (m) => m.envelope.to.includes(contact) && m.subject.includes(`${box.name} needs a reconnect`),
    );
    expect(sent.raw).toContain("Sign in again");
  });
});
