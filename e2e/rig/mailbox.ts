// Test helpers that put mail into and read mail out of the rig, from any process that can read the rig info:
// mailboxes through doveadm against the rig's Dovecot config, sent mail from the SMTP sink's folder.
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { RigInfo } from "./info";

/** The parts of the rig description these helpers need. */
export type MailRig = Pick<RigInfo, "dovecotConf" | "smtp">;
import type { SinkEnvelope } from "./mail/smtp-sink";

export type MailboxMessage = { uid: number; flags: string[]; subject: string };
export type SentMessage = { file: string; envelope: SinkEnvelope; raw: string; subject: string };

type DoveadmResult = { stdout: string; stderr: string; code: number };

function doveadm(rig: MailRig, args: string[], input?: string | Buffer): Promise<DoveadmResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "doveadm",
      ["-c", rig.dovecotConf, ...args],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") return reject(error);
        resolve({ stdout, stderr, code: error ? Number(error.code) : 0 });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

async function doveadmOk(rig: MailRig, args: string[], input?: string | Buffer): Promise<string> {
  const result = await doveadm(rig, args, input);
  if (result.code !== 0) throw new Error(`doveadm ${args.join(" ")} exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** Saves a raw MIME message into a user's folder (created when missing), as if it had been delivered. */
export async function deliver(rig: MailRig, user: string, rawMime: string | Buffer, folder = "INBOX"): Promise<void> {
  if (folder.toUpperCase() !== "INBOX") await ensureFolder(rig, user, folder);
  await doveadmOk(rig, ["save", "-u", user, "-m", folder], rawMime);
}

export async function ensureFolder(rig: MailRig, user: string, folder: string): Promise<void> {
  const result = await doveadm(rig, ["mailbox", "create", "-u", user, folder]);
  if (result.code !== 0 && !/already exists/i.test(result.stderr)) {
    throw new Error(`doveadm mailbox create ${folder} exited ${result.code}: ${result.stderr.trim()}`);
  }
}

export async function listFolders(rig: MailRig, user: string): Promise<string[]> {
  const rows = JSON.parse(await doveadmOk(rig, ["-f", "json", "mailbox", "list", "-u", user])) as { mailbox: string }[];
  return rows.map((row) => row.mailbox);
}

/** Empties a mailbox: every message of every folder expunged, every folder but INBOX deleted. */
export async function resetMailbox(rig: MailRig, user: string): Promise<void> {
  await doveadmOk(rig, ["expunge", "-u", user, "mailbox", "*", "all"]);
  const folders = (await listFolders(rig, user)).filter((folder) => folder.toUpperCase() !== "INBOX");
  // Children before parents, so "A/B" goes before "A".
  folders.sort((a, b) => b.length - a.length);
  for (const folder of folders) {
    const result = await doveadm(rig, ["mailbox", "delete", "-s", "-u", user, folder]);
    if (result.code !== 0 && !/doesn't exist/i.test(result.stderr)) {
      throw new Error(`doveadm mailbox delete ${folder} exited ${result.code}: ${result.stderr.trim()}`);
    }
  }
}

export async function listMessages(rig: MailRig, user: string, folder = "INBOX"): Promise<MailboxMessage[]> {
  const stdout = await doveadmOk(rig, [
    "-f",
    "json",
    "fetch",
    "-u",
    user,
    "uid flags hdr.subject",
    "mailbox",
    folder,
    "all",
  ]);
  const rows = JSON.parse(stdout || "[]") as { uid: string; flags: string; "hdr.subject": string }[];
  return rows.map((row) => ({
    uid: Number(row.uid),
    // \Recent belongs to doveadm's own session, not to the message.
    flags: row.flags.split(" ").filter((flag) => flag !== "" && flag !== "\\Recent"),
    subject: row["hdr.subject"],
  }));
}

/** Every message Postfix relayed to the sink so far, oldest first. */
export async function readSink(rig: MailRig): Promise<SentMessage[]> {
  const names = (await readdir(rig.smtp.sinkDir)).filter((name) => name.endsWith(".eml")).sort();
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(rig.smtp.sinkDir, name);
      const [raw, envelope] = await Promise.all([
        readFile(file, "utf8"),
        readFile(file.replace(/\.eml$/, ".json"), "utf8").then((text) => JSON.parse(text) as SinkEnvelope),
      ]);
      return { file, envelope, raw, subject: headerValue(raw, "subject") ?? "" };
    }),
  );
}

/** Waits until the sink holds a message matching `predicate` (Postfix relays asynchronously). */
export async function waitForSentMessage(
  rig: MailRig,
  predicate: (message: SentMessage) => boolean,
  timeoutMs = 10_000,
): Promise<SentMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = (await readSink(rig)).find(predicate);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no matching message reached the SMTP sink within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function headerValue(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0];
  const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}
