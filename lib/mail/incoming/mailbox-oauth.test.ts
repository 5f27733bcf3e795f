// The mailbox service with real OAuth connections (no doubles between the concerns): an app-only Microsoft
// grant on EWS impersonates the mailbox, a delegated grant on IMAPS uses the signed-in user's token.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";
import { db } from "@/lib/db";
import { deliverMails, testRig, uniqueName } from "@/e2e/support/mail-fixtures";

const rig = testRig();
let service: typeof import("./mailbox-service");
let schema: typeof import("./mailbox-form-schema");
let admin: string;

beforeAll(async () => {
  process.env.MAILBRIDGE_EXTRA_CA_FILE = rig.caFile;
  await useTestDatabase();
  service = await import("./mailbox-service");
  schema = await import("./mailbox-form-schema");
  admin = (await db().user.create({ data: { email: "admin@example.test", passwordHash: "x", role: "admin" } })).id;
});

describe("mailboxes with OAuth connections", () => {
  it("EWS with a Microsoft 365 app-only grant: saved without consent, verified and sampled through impersonation", async () => {
    const bob = rig.mailboxes.bob;
    const folder = uniqueName("ews-app-only");
    await deliverMails(rig, bob, folder, ["app-only oldest", "app-only newer"]);
    const client = rig.auth.clients.appOnly;
    const values = schema.mailboxFormSchema.parse({
      name: "Bob via EWS",
      protocol: "ews",
      authType: "oauth",
      port: 443,
      connectUrl: rig.ews.url,
      username: bob,
      emailAddresses: bob,
      folder,
      fetchIntervalMin: 5,
      oauth: {
        preset: "microsoft_app_only",
        grantType: "client_credentials",
        tenant: "contoso.onmicrosoft.com",
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        // The standard endpoint: Microsoft-style failures other files queue for this client stay theirs.
        tokenUrl: rig.auth.tokenUrl,
        scope: "https://outlook.office365.com/.default",
      },
    });
    const saved = await service.saveMailbox(values, admin);
    expect(saved.needsConsent).toBe(false);
    const verified = await service.verifyMailbox(saved.id, admin);
    expect(verified, JSON.stringify(verified)).toMatchObject({ ok: true });
    expect(verified.steps.map((s) => s.detail).join(" ")).toContain("impersonation");
    const sample = await service.runSampleFetch({ ...values, id: saved.id }, admin);
    expect(sample.ok && sample.mail?.subject).toBe("app-only oldest");
  });
});
