// A first mailbox needs only its address: the name and the username follow it unless typed, and what is
// typed is still checked at its field.
import { describe, expect, it } from "vitest";
import { LINE_BREAK_MESSAGE } from "@/lib/net/client";
import { firstAddressOf, mailboxFormSchema } from "./mailbox-form-schema";

const form = {
  protocol: "imaps",
  authType: "password",
  host: "imap.example.com",
  port: "993",
  password: "secret",
  fetchIntervalMin: "5",
};

describe("the mailbox form derives the name and username from the address", () => {
  it("fills both from the first address when blank", () => {
    const values = mailboxFormSchema.parse({
      ...form,
      name: "",
      username: "",
      emailAddresses: "Help@Example.com, x@e.org",
    });
    expect(values.name).toBe("help@example.com");
    expect(values.username).toBe("help@example.com");
    expect(values.emailAddresses).toEqual(["help@example.com", "x@e.org"]);
  });

  it("keeps what was typed", () => {
    const values = mailboxFormSchema.parse({
      ...form,
      name: "Helpdesk",
      username: "shared@example.com",
      emailAddresses: "help@example.com",
    });
    expect(values.name).toBe("Helpdesk");
    expect(values.username).toBe("shared@example.com");
  });

  it("says at the address field that an address is needed", () => {
    const result = mailboxFormSchema.safeParse({ ...form, name: "", username: "", emailAddresses: " " });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join("."), i.message])).toContainEqual([
      "emailAddresses",
      "Enter at least one email address",
    ]);
  });

  it("still refuses a bad username at its field", () => {
    const result = mailboxFormSchema.safeParse({ ...form, username: "a@b.c\r\nX", emailAddresses: "a@b.c" });
    expect(result.error?.issues.filter((i) => i.path[0] === "username").map((i) => i.message)).toContain(
      LINE_BREAK_MESSAGE,
    );
  });

  it("reads the first address as typed in the form", () => {
    expect(firstAddressOf("  A@B.c ; d@e.f")).toBe("a@b.c");
    expect(firstAddressOf("")).toBe("");
  });
});
