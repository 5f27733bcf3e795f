// The hot path's header reader: folded and encoded headers, Message-ID lists, bounded blocks, garbage.
import { describe, expect, it } from "vitest";
import { automaticMailReason } from "./loop-guard";
import addressparser from "nodemailer/lib/addressparser/index.js";
import { firstAddress, readKeyHeaders } from "./mail-headers";
import { referencedMessageIds, taggedRequestNumber } from "./threading";

const mail = (...lines: string[]) => Buffer.from([...lines, "", "body"].join("\r\n"));

describe("readKeyHeaders", () => {
  it("reads folded, RFC 2047 encoded headers and Message-ID lists", () => {
    const h = readKeyHeaders(
      mail(
        "From: =?ISO-8859-1?Q?J=F6rg?= =?utf-8?B?IE3DvGxsZXI=?= <Joerg@Example.ORG>",
        "Subject: =?utf-8?Q?Drucker_kaputt?=",
        "  =?utf-8?B?IOKAkyBkcmluZ2VuZA==?=",
        "Message-ID:",
        " <abc@host.example>",
        "In-Reply-To: <parent@host.example> (comment)",
        "References: <root@host.example>",
        "\t<parent@host.example>",
        "Date: Tue, 01 Dec 2026 10:00:00 +0100 (CET)",
        "Auto-Submitted: auto-replied",
      ),
    );
    expect(h).toMatchObject({
      fromAddress: "joerg@example.org",
      fromName: "Jörg Müller",
      subject: "Drucker kaputt – dringend",
      messageId: "<abc@host.example>",
      inReplyTo: ["<parent@host.example>"],
      references: ["<root@host.example>", "<parent@host.example>"],
      malformed: null,
    });
    expect(h.date?.toISOString()).toBe("2026-12-01T09:00:00.000Z");
    expect(automaticMailReason(h)).toBe("Auto-Submitted: auto-replied");
    expect(referencedMessageIds(h)).toEqual(["<parent@host.example>", "<root@host.example>"]);
  });

  it("flags a message without a header block and one whose header block never ends", () => {
    expect(
      readKeyHeaders(Buffer.from("\u00ff\u00fe garbage without any header\r\n\r\nmore", "latin1")).malformed,
    ).toMatch(/no readable header/);
    expect(readKeyHeaders(Buffer.from(`Subject: x\r\nX-Long: ${"a".repeat(300 * 1024)}\r\n`)).malformed).toMatch(
      /larger than 256 KiB/,
    );
  });

  it("finds a request tag, and never treats Re: alone as one", () => {
    expect(taggedRequestNumber("Re: [#123] printer")).toBe(123);
    expect(taggedRequestNumber("Re: printer #123")).toBeNull();
  });

  it("reads a From field's plainest forms without addressparser exactly as addressparser does", () => {
    const alphabet = "ab.'_-9 @%+<>\"(),:;";
    const values = [
      "Customer 1 <customer1@example.org>",
      "John Q. Public <j@x.org>",
      "<a@b.c>",
      "a@b.c",
      "",
      "a@b <c@d>",
    ];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20_000; i++) {
      const name = Array.from({ length: Math.floor(next() * 9) }, () => alphabet[Math.floor(next() * alphabet.length)]);
      values.push(name.join(""), `${name.join("")} <u${i}@ex.org>`, `${name.join("")}<u.${i}@e-x.org>`);
    }
    for (const value of values) {
      const expected = addressparser(value, { flatten: true })[0];
      expect({ value, ...firstAddress(value) }).toEqual({ value, ...expected });
    }
  });
});
