// The extraction pool on its own (no database): it gives what mailparser gives on the main thread, attachments
// byte for byte in the group's file; it moves raw buffers instead of copying them; a mail that spins or kills
// the parser is answered as failed and the mails behind it go on; it holds a bounded amount of work; it stops
// cleanly, and a worker that cannot load blames no mail.
import { fork } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { extractPoolFixture, HOSTILE_WORKER, plain, REAL_WORKER } from "@/e2e/support/extract-pool-fixture";
import { PoolClosedError } from "./extract-pool";

const { pool, target, file: newFile } = extractPoolFixture(REAL_WORKER);

const BINARY = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37) % 256));

const MIXED = Buffer.from(
  [
    "From: Customer <customer@example.org>",
    "Subject: =?UTF-8?Q?R=C3=A9sum=C3=A9?=",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="outer"',
    "",
    "--outer",
    'Content-Type: multipart/alternative; boundary="alt"',
    "",
    "--alt",
    "Content-Type: text/plain; charset=iso-8859-1",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "Gr=FC=DFe aus K=F6ln",
    "--alt",
    'Content-Type: multipart/related; boundary="rel"',
    "",
    "--rel",
    "Content-Type: text/html; charset=utf-8",
    "",
    '<p>Hello <img src="cid:logo@x"></p>',
    "--rel",
    "Content-Type: image/png",
    "Content-ID: <logo@x>",
    "Content-Transfer-Encoding: base64",
    "",
    BINARY.subarray(0, 300).toString("base64"),
    "--rel--",
    "--alt--",
    "--outer",
    "Content-Type: application/octet-stream",
    "Content-Disposition: attachment; filename*=UTF-8''Rechnung%20M%C3%A4rz.bin",
    "Content-Transfer-Encoding: base64",
    "",
    BINARY.toString("base64").replace(/.{76}/g, "$&\r\n"),
    "--outer",
    'Content-Type: text/plain; name="notes.txt"',
    'Content-Disposition: attachment; filename="notes.txt"',
    "",
    "line one\r\nline two",
    "--outer",
    "Content-Type: message/rfc822",
    'Content-Disposition: attachment; filename="forwarded.eml"',
    "",
    "Subject: inner\r\nContent-Type: text/plain\r\n\r\ninner body",
    "--outer--",
    "",
  ].join("\r\n"),
);

const HTML_ONLY = Buffer.from(
  "Subject: html\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<h1>Title</h1><p>Some <b>bold</b> text</p>\r\n",
);

const MAIN_THREAD_OPTIONS = {
  skipImageLinks: true,
  skipTextLinks: true,
  skipTextToHtml: true,
  maxHtmlLengthToParse: 2 * 1024 * 1024,
};

describe("the extraction pool", () => {
  it("gives what mailparser gives on the main thread, attachments byte for byte in the group's file", async () => {
    const p = pool();
    for (const raw of [MIXED, HTML_ONLY, plain("plain")]) {
      const expected = await simpleParser(raw, MAIN_THREAD_OPTIONS);
      const result = await p.parse(Buffer.from(raw), target());
      if (!result.ok) throw new Error(result.reason);
      expect(result.text.toString()).toBe(expected.text ?? "");
      expect(result.html?.toString() ?? null).toBe(typeof expected.html === "string" ? expected.html : null);
      expect(
        result.attachments.map((a) => ({
          filename: a.filename ?? undefined,
          contentType: a.contentType,
          size: a.size,
          content: readFileSync(a.absoluteFile).subarray(a.offset, a.offset + a.length),
        })),
      ).toEqual(
        expected.attachments.map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          size: a.size,
          content: a.content,
        })),
      );
    }
    const mixed = await simpleParser(MIXED, MAIN_THREAD_OPTIONS);
    expect(mixed.attachments.map((a) => a.filename)).toEqual([
      undefined,
      "Rechnung März.bin",
      "notes.txt",
      "forwarded.eml",
    ]);
  });

  it("appends a group's attachments into one file per worker, each at its own range", async () => {
    const p = pool();
    const group = target();
    const [a, b] = await Promise.all([p.parse(Buffer.from(MIXED), group), p.parse(Buffer.from(MIXED), group)]);
    if (!a.ok || !b.ok) throw new Error("not parsed");
    const files = new Set([...a.attachments, ...b.attachments].map((x) => x.relativeFile));
    expect(files.size).toBe(1);
    const ranges = [...a.attachments, ...b.attachments].map((x) => [x.offset, x.length]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i][0]).toBe(ranges[i - 1][0] + ranges[i - 1][1]);
    await p.sync([a.attachments[0].absoluteFile]);
  });

  it("runs its workers with a small young generation, and still parses a mail at the extraction's size limit", async () => {
    const limits = await pool({ workerFile: HOSTILE_WORKER }).parse(
      plain("limits", ["X-Test-Parser: limits"]),
      target(),
    );
    if (!limits.ok) throw new Error(limits.reason);
    const { maxYoungGenerationSizeMb, maxOldGenerationSizeMb } = JSON.parse(limits.text.toString());
    // V8's default for a worker is 48 MB of young generation on top of its old generation.
    expect(maxYoungGenerationSizeMb).toBeLessThanOrEqual(16);
    expect(maxOldGenerationSizeMb).toBe(384);

    // Just under 48 MiB (MAX_EXTRACT_BYTES): a 35 MiB attachment in base64.
    const content = Buffer.alloc(35 * 1024 * 1024);
    for (let i = 0; i < content.length; i += 4096) content[i] = i % 251;
    const raw = Buffer.from(
      [
        "Subject: large",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain",
        "",
        "see the attachment",
        "--b",
        "Content-Type: application/octet-stream; name=large.bin",
        "Content-Transfer-Encoding: base64",
        "",
        content.toString("base64").replace(/.{76}/g, "$&\r\n"),
        "--b--",
        "",
      ].join("\r\n"),
    );
    expect(raw.length).toBeGreaterThan(47 * 1024 * 1024);
    expect(raw.length).toBeLessThan(48 * 1024 * 1024);
    const result = await pool().parse(raw, target());
    if (!result.ok) throw new Error(result.reason);
    expect(result.text.toString().trim()).toBe("see the attachment");
    const [attachment] = result.attachments;
    expect(attachment.length).toBe(content.length);
    const stored = readFileSync(attachment.absoluteFile).subarray(
      attachment.offset,
      attachment.offset + attachment.length,
    );
    expect(stored.equals(content)).toBe(true);
  }, 60_000);

  it("loads mailparser only for the first mail the plain path cannot take", async () => {
    const p = pool({ workerFile: HOSTILE_WORKER });
    const loaded = async () => {
      const probe = await p.parse(plain("probe", ["X-Test-Parser: loaded"]), target());
      if (!probe.ok) throw new Error(probe.reason);
      return JSON.parse(probe.text.toString()).fullParser as boolean;
    };
    expect(await loaded()).toBe(false);
    expect(await p.parse(plain("plain"), target())).toMatchObject({
      ok: true,
      text: Buffer.from("Hello,\nthis is plain.\n"),
    });
    expect(await loaded()).toBe(false);
    const html = await p.parse(Buffer.from(HTML_ONLY), target());
    expect(html.ok && html.html?.toString()).toContain("<h1>");
    expect(await loaded()).toBe(true);
  });

  it("reads a stored mail from its range of a batch file itself, and parses it as it parses one handed over", async () => {
    const p = pool();
    const mails = [plain("first"), MIXED, plain("grüße", [], "Grüße aus Köln – ✓\r\n"), HTML_ONLY];
    const file = newFile("mails");
    writeFileSync(file, Buffer.concat(mails));
    let offset = 0;
    for (const raw of mails) {
      const expected = await pool().parse(Buffer.from(raw), target());
      const result = await p.parseStored({ file, offset, length: raw.length }, raw.length, target());
      offset += raw.length;
      if (!result.ok || !expected.ok) throw new Error("not parsed");
      expect(result.text.toString()).toBe(expected.text.toString());
      expect(result.html?.toString()).toBe(expected.html?.toString());
      expect(result.attachments.map((a) => a.size)).toEqual(expected.attachments.map((a) => a.size));
    }
    // A range the file does not hold is that mail's failure, not the pool's.
    expect(await p.parseStored({ file, offset: offset - 10, length: 100 }, 100, target())).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/could not be read: the stored file ends before byte/),
    });
    expect(await p.parseStored({ file: `${file}.missing`, offset: 0, length: null }, 10, target())).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/could not be read/),
    });
  });

  it("moves a raw buffer to the worker instead of copying it (a slice of Node's shared pool is copied)", async () => {
    const p = pool();
    const big = plain("big", [], "x".repeat(10_000));
    await p.parse(big, target());
    expect(big.length).toBe(0);
    const small = Buffer.from("Subject: tiny\r\n\r\nhi\r\n");
    expect(small.buffer.byteLength).toBeGreaterThan(small.length);
    expect(await p.parse(small, target())).toMatchObject({ ok: true, text: Buffer.from("hi\n") });
    expect(small.toString()).toContain("tiny");
  });

  it("answers a mail that spins the parser as failed at the deadline, and parses the mails behind it", async () => {
    const p = pool({ workerFile: HOSTILE_WORKER, deadlineMs: 1_000 });
    const results = await Promise.all(
      [plain("before"), plain("spinning", ["X-Test-Parser: spin"]), plain("after")].map((raw) =>
        p.parse(raw, target()),
      ),
    );
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]).toMatchObject({ why: "parsing took longer than 1 s" });
    expect(results[2]).toMatchObject({ text: Buffer.from("Hello,\nthis is after.\n") });
  });

  it("answers a mail that kills its worker as failed, and a new worker takes the next ones", async () => {
    const p = pool({ workerFile: HOSTILE_WORKER });
    const results = await Promise.all(
      [
        plain("crashing", ["X-Test-Parser: crash"]),
        plain("next"),
        plain("crashing again", ["X-Test-Parser: crash"]),
        plain("last"),
      ].map((raw) => p.parse(raw, target())),
    );
    expect(results.map((r) => (r.ok ? r.text.toString() : r.why))).toEqual([
      "the parser stopped on this message",
      "Hello,\nthis is next.\n",
      "the parser stopped on this message",
      "Hello,\nthis is last.\n",
    ]);
  });

  it("holds at most its limit of jobs and raw bytes (a larger mail alone)", async () => {
    const p = pool({ maxJobs: 3, maxBytes: 25_000 });
    const mails = Array.from({ length: 12 }, (_, i) => plain(`m${i}`, [], "y".repeat(10_000)));
    let most = { jobs: 0, bytes: 0 };
    const watch = setInterval(() => {
      const held = p.held();
      most = { jobs: Math.max(most.jobs, held.jobs), bytes: Math.max(most.bytes, held.bytes) };
    }, 1);
    const all = Promise.all(mails.map((raw) => p.parse(raw, target())));
    await new Promise((resolve) => setImmediate(resolve));
    const held = p.held();
    const results = await all;
    clearInterval(watch);
    expect(held.jobs).toBe(2);
    expect(most.bytes).toBeLessThanOrEqual(25_000);
    expect(results.every((r) => r.ok)).toBe(true);
    const huge = plain("huge", [], "z".repeat(60_000));
    expect(await p.parse(huge, target())).toMatchObject({ ok: true });
  });

  it("holds at most its limit of jobs while its worker is busy, and takes the next as one is answered", async () => {
    // Each mail takes its worker 50 ms, so the pool is still full when it is looked at (a real worker can answer
    // a small mail before the test looks).
    const p = pool({ workerFile: HOSTILE_WORKER, maxJobs: 3 });
    const small = Array.from({ length: 8 }, (_, i) => p.parse(plain(`s${i}`, ["X-Test-Parser: slow"]), target()));
    const settled = Promise.allSettled(small);
    await new Promise((resolve) => setImmediate(resolve));
    const held = p.held().jobs;
    const results = await settled;
    expect(held).toBe(3);
    expect(results.map((r) => r.status === "fulfilled" && r.value.ok)).toEqual(Array(8).fill(true));
  });

  it("on close, rejects what is queued or running and stops its workers", async () => {
    const p = pool({ workerFile: HOSTILE_WORKER });
    const running = p.parse(plain("spinning", ["X-Test-Parser: spin"]), target());
    const queued = p.parse(plain("queued"), target());
    const rejected = [
      expect(running).rejects.toBeInstanceOf(PoolClosedError),
      expect(queued).rejects.toBeInstanceOf(PoolClosedError),
    ];
    await new Promise((resolve) => setTimeout(resolve, 200));
    await p.close();
    await Promise.all(rejected);
    await expect(p.parse(plain("late"), target())).rejects.toBeInstanceOf(PoolClosedError);
  });

  it("blames no mail when its worker cannot load: the parse is rejected, not answered as failed", async () => {
    const p = pool({ workerFile: path.resolve("e2e/support/broken-extract-worker.mjs") });
    await expect(p.parse(plain("innocent"), target())).rejects.toThrow(/could not start: this worker cannot load/);
  });

  it("drops a queued job when its signal aborts", async () => {
    const p = pool({ workerFile: HOSTILE_WORKER, deadlineMs: 60_000 });
    const controller = new AbortController();
    const running = p.parse(plain("spinning", ["X-Test-Parser: spin"]), target());
    const queued = p.parse(plain("queued"), target(), controller.signal);
    controller.abort(new Error("stopped"));
    await expect(queued).rejects.toThrow("stopped");
    expect(p.held().jobs).toBe(1);
    const stopped = expect(running).rejects.toBeInstanceOf(PoolClosedError);
    await p.close();
    await stopped;
  });

  it("lets a process that used it exit on its own (an idle worker holds nothing open)", async () => {
    const child = fork(path.resolve("e2e/support/extract-pool-child.ts"), [REAL_WORKER], {
      execArgv: ["--import", "tsx", "--conditions=react-server"],
      stdio: ["ignore", "pipe", "inherit", "ipc"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(0);
    expect(out.trim()).toBe("parsed: Hello from the child");
  });
});
