// The one parse step from stored settings to a protocol's configuration, and the adapter each variant builds.
import { describe, expect, it } from "vitest";
import { UserFacingError } from "@/lib/errors";
import { createSource } from "./create-source";
import { EwsSource } from "./ews-source";
import { GraphSource } from "./graph-source";
import { ImapSource } from "./imap-source";
import { Pop3Source } from "./pop3-source";
import { parseSourceConfig, type SourceInput } from "./source-config";
import type { SourceAuth } from "./source";

const password: SourceAuth = { type: "password", user: "alice@rig.test", password: "secret" };
const oauth: SourceAuth = { type: "oauth", user: "alice@rig.test", getToken: async () => ({ accessToken: "t" }) };

function input(overrides: Partial<SourceInput>): SourceInput {
  return {
    protocol: "imaps",
    startTls: true,
    host: "mail.example.test",
    port: 993,
    connectUrl: null,
    mailbox: "alice@rig.test",
    folder: "INBOX",
    auth: password,
    ...overrides,
  };
}

function failure(overrides: Partial<SourceInput>): UserFacingError {
  try {
    parseSourceConfig(input(overrides));
  } catch (error) {
    if (error instanceof UserFacingError) return error;
    throw error;
  }
  throw new Error("the input was accepted");
}

describe("source configuration", () => {
  it("maps each stored protocol name to its variant with exactly that protocol's fields", () => {
    expect(parseSourceConfig(input({}))).toMatchObject({
      protocol: "imap",
      security: "tls",
      host: "mail.example.test",
    });
    expect(parseSourceConfig(input({ protocol: "imap", port: 143 }))).toMatchObject({ security: "starttls" });
    expect(parseSourceConfig(input({ protocol: "pop", startTls: false, port: 110 }))).toMatchObject({
      protocol: "pop3",
      security: "none",
    });
    const graph = parseSourceConfig(input({ protocol: "graph", auth: oauth }));
    expect(graph).toMatchObject({ protocol: "graph", baseUrl: "https://graph.microsoft.com/v1.0" });
    expect(graph).not.toHaveProperty("host");
    const ews = parseSourceConfig(
      input({ protocol: "ews", auth: oauth, connectUrl: "https://ex.test/EWS/Exchange.asmx", impersonate: true }),
    );
    expect(ews).toMatchObject({ protocol: "ews", url: "https://ex.test/EWS/Exchange.asmx", impersonate: true });
    expect(ews).not.toHaveProperty("port");
  });

  it("an incomplete stored mailbox names the missing field", () => {
    expect(failure({ host: "" })).toMatchObject({
      message: "The mailbox settings are incomplete: the server is missing.",
      options: { field: "host" },
    });
    expect(failure({ protocol: "pops", port: Number.NaN }).options.field).toBe("port");
    expect(failure({ protocol: "ews", auth: oauth, connectUrl: "" })).toMatchObject({
      message: "The mailbox settings are incomplete: the EWS Connect URL is missing.",
      options: { field: "connectUrl" },
    });
    expect(failure({ protocol: "graph", auth: oauth, connectUrl: "http://plain.test/v1.0" }).message).toMatch(
      /Graph base URL must be an https:\/\/ URL/,
    );
    expect(failure({ protocol: "graph", auth: oauth, mailbox: "" }).options.field).toBe("emailAddresses");
    expect(failure({ protocol: "graph", auth: password }).message).toMatch(/Microsoft Graph accepts only OAuth/);
    expect(failure({ auth: { type: "password", user: "alice", password: "" } }).options.field).toBe("password");
    expect(failure({ folder: " " }).options.field).toBe("folder");
    expect(failure({ protocol: "nntp" })).toMatchObject({ options: { field: "protocol" } });
  });

  it("each protocol builds its adapter, with the settings the adapter reads", () => {
    const imap = createSource(parseSourceConfig(input({ protocol: "imap", startTls: true, port: 143 })));
    expect(imap).toBeInstanceOf(ImapSource);
    expect(imap.settings).toMatchObject({ protocol: "imap", startTls: true, port: 143, mailbox: "alice@rig.test" });
    const pops = createSource(parseSourceConfig(input({ protocol: "pops", port: 995 })));
    expect(pops).toBeInstanceOf(Pop3Source);
    expect(pops.settings.protocol).toBe("pops");
    const graph = createSource(
      parseSourceConfig(input({ protocol: "graph", auth: oauth, connectUrl: "https://g.test/v1.0" })),
    );
    expect(graph).toBeInstanceOf(GraphSource);
    expect(graph.settings).toMatchObject({ protocol: "graph", connectUrl: "https://g.test/v1.0" });
    const ews = createSource(
      parseSourceConfig(input({ protocol: "ews", auth: oauth, connectUrl: "https://e.test/EWS/Exchange.asmx" })),
    );
    expect(ews).toBeInstanceOf(EwsSource);
    expect(ews.settings).toMatchObject({ connectUrl: "https://e.test/EWS/Exchange.asmx", impersonate: false });
  });
});
