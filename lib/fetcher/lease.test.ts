// The mailbox lease through the hot path's driver, on SQLite and PostgreSQL: one holder at a time, a lapsed
// lease taken over with a new epoch, and renewing or releasing only with the epoch that is still the row's; the
// mailbox read the same way equals the ORM's (secret opened, booleans and dates typed, dates in UTC).
import { beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase } from "@/e2e/support/postgres";
import { useTestDatabase } from "@/e2e/support/test-db";
import { testRig } from "@/e2e/support/mail-fixtures";
import { createTestMailbox } from "@/e2e/support/fetcher-fixtures";

// Not UTC: a timestamp read as local time would be off by hours.
process.env.TZ = "Pacific/Auckland";

const rig = testRig();

describe.each(["sqlite", "postgresql"] as const)("on %s", (provider) => {
  let lease: typeof import("./lease");
  let read: typeof import("./mailbox-read");
  let ingest: typeof import("./ingest-db");
  let database: typeof import("@/lib/db");
  let config: typeof import("@/lib/config");
  let sql: import("./ingest-db").IngestDb;

  beforeAll(async () => {
    await useTestDatabase(provider === "postgresql" ? { databaseUrl: await createPostgresDatabase() } : {});
    lease = await import("./lease");
    read = await import("./mailbox-read");
    ingest = await import("./ingest-db");
    database = await import("@/lib/db");
    config = await import("@/lib/config");
    sql = ingest.openIngestDb(config.config().database);
    return () => sql.close();
  });

  it("lets one process hold a mailbox, takes a lapsed lease over, and fences the old holder", async () => {
    const box = await createTestMailbox(rig);
    const first = (await lease.claimLease(box.id, "one", sql))!;
    expect(first).toEqual({ mailboxId: box.id, owner: "one", epoch: 1 });
    expect(await lease.claimLease(box.id, "two", sql)).toBeNull();
    expect(await lease.renewLease(first, sql)).toBe(true);

    await database
      .db()
      .incomingMailbox.update({ where: { id: box.id }, data: { leaseUntil: new Date(Date.now() - 1000) } });
    const second = (await lease.claimLease(box.id, "two", sql))!;
    expect(second.epoch).toBe(2);
    expect(await lease.renewLease(first, sql)).toBe(false);
    await lease.releaseLease(first, sql);
    expect(await database.db().incomingMailbox.findUnique({ where: { id: box.id } })).toMatchObject({
      leaseOwner: "two",
      leaseEpoch: 2,
    });
    expect(
      (await database.db().incomingMailbox.findUnique({ where: { id: box.id } }))!.leaseUntil!.getTime(),
    ).toBeGreaterThan(Date.now());

    await lease.releaseLease(second, sql);
    expect(await database.db().incomingMailbox.findUnique({ where: { id: box.id } })).toMatchObject({
      leaseOwner: null,
      leaseUntil: null,
    });
    expect(await lease.claimLease(box.id, "three", sql)).toMatchObject({ epoch: 3 });
  });

  it("reads the stored mailbox exactly as the ORM does", async () => {
    const box = await createTestMailbox(rig, {
      folder: "Some folder",
      disableNewRequests: true,
      importSince: new Date("2026-03-04T05:06:07.089Z"),
    });
    const viaOrm = await database.db().incomingMailbox.findUnique({ where: { id: box.id } });
    const viaDriver = await read.readMailbox(sql, box.id);
    expect(viaDriver).toEqual(viaOrm);
    expect(viaDriver!.password).toBe(rig.auth.users.alice.password);
    expect(await read.readMailbox(sql, "no-such-mailbox")).toBeNull();
  });
});
