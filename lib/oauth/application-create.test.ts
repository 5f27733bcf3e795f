// An application stored before any connection uses it (the demo's rig client): listed for the mailbox form
// to pick, with its secret kept and never shown, and refused twice or without what it needs.
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "@/e2e/support/test-db";
import { UserFacingError } from "@/lib/errors";
import { createApplication } from "./application-service";
import { listApplicationChoices } from "./application-choices";

beforeAll(async () => {
  await useTestDatabase();
});

const fields = {
  preset: "generic",
  clientId: "demo-client",
  clientSecret: "demo-secret",
  clientAuthMethod: "client_secret_post",
  issuer: "https://login.example.com",
  authorizeUrl: "https://login.example.com/auth",
  tokenUrl: "https://login.example.com/token",
  scope: "imap offline_access",
};

async function refusal(input: unknown): Promise<UserFacingError> {
  const error = await createApplication(input).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UserFacingError);
  return error as UserFacingError;
}

describe("createApplication", () => {
  it("stores the registration for the form to pick, with its scope and a stored secret", async () => {
    const { applicationId } = await createApplication(fields);
    const choice = (await listApplicationChoices()).find((app) => app.id === applicationId);
    expect(choice).toMatchObject({
      label: "Generic OAuth 2.0 · demo-client",
      hasClientSecret: true,
      grantType: null,
      fields: { clientId: "demo-client", tokenUrl: fields.tokenUrl, scope: "imap offline_access" },
    });
    expect(JSON.stringify(choice)).not.toContain("demo-secret");
  });

  it("refuses a second application with the same client ID", async () => {
    const error = await refusal({ ...fields, clientSecret: "other" });
    expect(error.options.fieldErrors).toEqual({ clientId: "Already stored as an application" });
  });

  it("says at the field what is missing", async () => {
    const missing = await refusal({ ...fields, clientId: "", tokenUrl: "" });
    expect(missing.options.fieldErrors).toMatchObject({
      clientId: "Enter the Client ID",
      tokenUrl: "Enter the Access Token URL",
    });
    const noSecret = await refusal({ ...fields, clientId: "no-secret", clientSecret: "" });
    expect(noSecret.options.fieldErrors).toEqual({ clientSecret: "Enter the client secret" });
  });
});
