// The cheap path for single-part plain-text mail gives exactly mailparser's text, over a few thousand generated
// variants (line ends, stray bytes, header spellings), and leaves everything it does not cover to mailparser.
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { plainText } from "./extract-plain.mjs";

const OPTIONS = { skipImageLinks: true, skipTextLinks: true, skipTextToHtml: true, maxHtmlLengthToParse: 2 << 20 };

/** A small seeded generator, so a failure can be replayed. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return { int: (n: number) => Math.floor(next() * n), pick: <T>(list: T[]) => list[Math.floor(next() * list.length)] };
}

const PIECES = [
  "hello",
  "Grüße",
  "--b",
  "--",
  ".",
  "From me",
  "\r\n",
  "\n",
  "\r",
  "\r\n\r\n",
  " ",
  "\t",
  "=3D",
  "=\r\n",
];
const TYPES = [
  "text/plain; charset=utf-8",
  "text/plain",
  'TEXT/PLAIN; CHARSET="UTF-8"',
  "text/plain; charset=us-ascii",
  "text/plain;\r\n charset=utf-8",
  "text/plain; charset=utf-8;",
  "text/plain; charset=iso-8859-1",
  "text/plain; charset=utf-8; format=flowed",
  "text/html; charset=utf-8",
];
const ENCODINGS = [null, "7bit", "8bit", "8BIT", "quoted-printable", "base64", "binary"];
const EXTRA = ["", "X-Foo: bar", "Content-Disposition: inline", "Content-Disposition: attachment", "Content-ID: <x@y>"];

function variant(g: ReturnType<typeof generator>, i: number): Buffer {
  const encoding = g.pick(ENCODINGS);
  const head = [
    "From: a@example.org",
    `Subject: variant ${i}`,
    g.pick(["MIME-Version: 1.0", ""]),
    `Content-Type: ${g.pick(TYPES)}`,
    encoding ? `Content-Transfer-Encoding: ${encoding}` : "",
    g.pick(EXTRA),
  ].filter(Boolean);
  const body = Array.from({ length: g.int(30) }, () => g.pick(PIECES)).join("");
  const stray = Buffer.from(Array.from({ length: g.int(3) === 0 ? g.int(20) : 0 }, () => g.int(256)));
  return Buffer.concat([
    Buffer.from(`${head.join("\r\n")}\r\n\r\n${body}`),
    stray,
    Buffer.from(g.pick(["", "\r\n", "\n"])),
  ]);
}

describe("the plain-text path", () => {
  it("gives mailparser's text, no HTML and no attachments, for every mail it takes", async () => {
    const g = generator(16);
    let taken = 0;
    for (let i = 0; i < 3000; i++) {
      const raw = variant(g, i);
      const text = plainText(raw);
      if (text === null) continue;
      taken++;
      const full = await simpleParser(raw, OPTIONS);
      expect({ text, html: null, attachments: 0 }, JSON.stringify(raw.toString("latin1"))).toEqual({
        text: full.text ?? "",
        html: full.html || null,
        attachments: full.attachments.length,
      });
    }
    expect(taken).toBeGreaterThan(300);
  });

  it("takes the usual plain-text mail and leaves the rest to mailparser", () => {
    const mail = (head: string) => Buffer.from(`From: a@example.org\r\n${head}\r\n\r\nHello\r\nthere\r\n`);
    expect(plainText(mail("Content-Type: text/plain; charset=utf-8"))).toBe("Hello\nthere\n");
    expect(plainText(mail("Content-Type: text/plain\r\nContent-Transfer-Encoding: 8bit"))).toBe("Hello\nthere\n");
    for (const head of [
      "Content-Type: text/html",
      "Content-Type: text/plain; charset=iso-8859-1",
      "Content-Type: text/plain; format=flowed",
      "Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable",
      "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64",
      "Content-Type: text/plain\r\nContent-Disposition: attachment",
      'Content-Type: multipart/mixed; boundary="b"',
      "Content-Type: text/plain\r\nContent-Type: text/html",
      "Subject: =?utf-8?q?no_type?=",
      "Subject: caf\u00e9\r\nContent-Type: text/plain",
    ])
      expect(plainText(mail(head)), head).toBeNull();
    expect(plainText(Buffer.from("no header end at all"))).toBeNull();
  });
});
