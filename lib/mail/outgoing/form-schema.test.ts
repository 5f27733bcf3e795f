// The outgoing form's rules that need no server: the December 2026 warning, the alternate server's form,
// header values without line breaks (form and composer), and the parsing of host:port alternates.
import { describe, expect, it } from "vitest";
import { composeMessage } from "./compose";
import { alternateServer } from "./create-transport";
import { basicAuthSwitchOffWarning, outgoingFormSchema } from "./form-schema";

const base = {
  protocol: "smtp",
  host: "smtp.office365.com",
  port: "587",
  authType: "password",
  username: "desk@contoso.com",
  password: "pw",
  maxEmailSizeMb: "25",
};

describe("outgoing form rules", () => {
  it("warns about the switch-off of basic auth for a password against Exchange Online only", () => {
    expect(basicAuthSwitchOffWarning(base)).toMatch(/end of December 2026/);
    expect(basicAuthSwitchOffWarning({ ...base, host: "SMTP.Office365.com " })).toMatch(/December 2026/);
    expect(basicAuthSwitchOffWarning({ ...base, authType: "oauth" })).toBeNull();
    expect(basicAuthSwitchOffWarning({ ...base, host: "smtp.gmail.com" })).toBeNull();
    expect(basicAuthSwitchOffWarning({ ...base, protocol: "graph" })).toBeNull();
  });

  it("accepts an alternate as host or host:port and refuses the same server twice or a URL", () => {
    expect(outgoingFormSchema.safeParse({ ...base, alternateHost: "relay.contoso.com:2525" }).success).toBe(true);
    const same = outgoingFormSchema.safeParse({ ...base, alternateHost: "SMTP.office365.com" });
    expect(same.error?.issues.map((i) => i.path[0])).toEqual(["alternateHost"]);
    expect(outgoingFormSchema.safeParse({ ...base, alternateHost: "smtp://relay" }).success).toBe(false);
    expect(alternateServer("relay.contoso.com:2525", 587)).toEqual({ host: "relay.contoso.com", port: 2525 });
    expect(alternateServer("relay.contoso.com", 587)).toEqual({ host: "relay.contoso.com", port: 587 });
    expect(alternateServer("[::1]:25", 587)).toEqual({ host: "::1", port: 25 });
  });

  it("requires the sending mailbox's address and OAuth for Graph and EWS", () => {
    const graph = outgoingFormSchema.safeParse({
      ...base,
      protocol: "graph",
      connectUrl: "https://graph.microsoft.com/v1.0",
      username: "desk",
    });
    expect(graph.error?.issues.map((i) => i.path[0]).sort()).toEqual(["authType", "username"]);
  });

  it("the composer refuses line breaks in every header value it is given", async () => {
    const parts = { fromAddress: "desk@contoso.com", to: ["c@example.org"], subject: "Hello", text: "body" };
    for (const bad of [
      { senderName: "Desk\r\nBcc: x@example.org" },
      { replyTo: "a@b.c\nBcc: x@example.org" },
      { subject: "Hi\r\nBcc: x" },
      { inReplyTo: "<a@b>\n" },
      { to: ["c@example.org\r\nBcc: x@y"] },
    ]) {
      await expect(composeMessage({ ...parts, ...bad })).rejects.toThrow(/must not contain line breaks/);
    }
    const ok = await composeMessage({
      ...parts,
      senderName: "Desk",
      replyTo: "help@contoso.com",
      inReplyTo: "<q@example.org>",
      references: ["<q@example.org>"],
    });
    expect(ok.raw.toString()).toMatch(/^Reply-To: help@contoso\.com\r$/m);
    expect(ok.messageId).toMatch(/^<[0-9a-f]{24}\.mailbridge@contoso\.com>$/);
  });
});
