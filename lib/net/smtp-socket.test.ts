// nodemailer with the guarded socket against the rig's Postfix: mail goes out over STARTTLS and implicit TLS,
// and a refused target fails before any connection.
import { readFileSync } from "node:fs";
import nodemailer from "nodemailer";
import { describe, expect, it } from "vitest";
import { rigInfo } from "@/e2e/rig/info";
import { guardedSmtpSocket } from "./smtp-socket";

const rig = rigInfo();
const ca = readFileSync(rig.caFile, "utf8");
const alice = rig.auth.users.alice;

describe("guardedSmtpSocket", () => {
  it.each([
    ["STARTTLS", rig.smtp.submissionPort, false],
    ["implicit TLS", rig.smtp.smtpsPort, true],
  ])("sends through Postfix with %s", async (_name, port, secure) => {
    const transport = nodemailer.createTransport({
      host: rig.smtp.host,
      port,
      secure,
      requireTLS: !secure,
      tls: { ca },
      auth: { user: alice.username, pass: alice.password },
      getSocket: guardedSmtpSocket(),
    });
    await expect(transport.verify()).resolves.toBe(true);
    transport.close();
  });

  it("refuses a metadata address before connecting", async () => {
    const transport = nodemailer.createTransport({ host: "169.254.169.254", port: 25, getSocket: guardedSmtpSocket() });
    await expect(transport.verify()).rejects.toThrow(
      "169.254.169.254 is a link-local address: Mailbridge does not connect there",
    );
  });
});
