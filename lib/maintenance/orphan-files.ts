// Stored mail files that nothing references any more. The fetcher writes raw mail to disk before the commit
// that references it, so a crash in between leaves a file no ledger row names: a batch file
// (mail/<box>/batches/<month>/*.mails), a streamed large mail (mail/<box>/<xx>/<sha256>.eml) or a half-written
// stream (mail/tmp/*.part). Such a file is deleted once older than MAILBRIDGE_ORPHAN_FILE_HOURS — far longer
// than a fetch may run — and never while its mailbox is leased (a fetch still running may commit it). The files
// of a deleted mailbox go with it: its rows are gone (cascade), so nothing can reference them.
import type { Dirent } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { mailboxFilesDir, storedFilePath } from "@/lib/requests/ingest";

const HOUR_MS = 60 * 60 * 1000;
/** The streaming fetcher's folder of files being written (not a mailbox). */
const TMP_DIR = "tmp";

export type OrphanSweepResult = { orphanFiles: number; mailboxDirs: number };

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

async function olderThan(file: string, cutoff: number): Promise<boolean> {
  try {
    return (await stat(file)).mtimeMs < cutoff;
  } catch {
    return false;
  }
}

/**
 * Whether a ledger row references the file: a batch file through `<file>@<offset>+<length>`, a streamed mail by
 * its path. The prefix is an index range (bytewise: "@" + 1 is "A"), compared in the C collation on PostgreSQL
 * so that a locale's ordering cannot leave a referencing row outside it.
 */
async function referenced(relativePath: string): Promise<boolean> {
  const postgres = config().database.provider === "postgresql";
  const [a, b, c] = postgres ? ["$1", "$2", "$3"] : ["?", "?", "?"];
  const column = postgres ? `"rawPath" COLLATE "C"` : `"rawPath"`;
  const rows = await db().$queryRawUnsafe<unknown[]>(
    `SELECT 1 AS "found" FROM "IngestedMail" WHERE ${column} = ${a} OR (${column} >= ${b} AND ${column} < ${c}) LIMIT 1`,
    relativePath,
    `${relativePath}@`,
    `${relativePath}A`,
  );
  return rows.length > 0;
}

/** A stored file of a mailbox: deleted when old enough and unreferenced; returns whether it was. */
async function sweepFile(relativePath: string, cutoff: number): Promise<boolean> {
  const file = storedFilePath(relativePath);
  if (!(await olderThan(file, cutoff))) return false;
  if (await referenced(relativePath)) return false;
  await rm(file, { force: true });
  return true;
}

async function sweepMailboxDir(dir: string, cutoff: number): Promise<number> {
  let removed = 0;
  for (const entry of await entries(storedFilePath(dir))) {
    if (!entry.isDirectory()) continue;
    // attachments/ belong to rows that exist (written after their commit) and go with the mailbox.
    if (entry.name === "attachments") continue;
    if (entry.name === "batches") {
      for (const month of await entries(storedFilePath(path.join(dir, "batches")))) {
        if (!month.isDirectory()) continue;
        for (const file of await entries(storedFilePath(path.join(dir, "batches", month.name)))) {
          if (!file.isFile() || !file.name.endsWith(".mails")) continue;
          if (await sweepFile(path.join(dir, "batches", month.name, file.name), cutoff)) removed++;
        }
      }
      continue;
    }
    for (const file of await entries(storedFilePath(path.join(dir, entry.name)))) {
      if (!file.isFile() || !file.name.endsWith(".eml")) continue;
      if (await sweepFile(path.join(dir, entry.name, file.name), cutoff)) removed++;
    }
  }
  return removed;
}

/** Deletes a mailbox's stored files (after its rows are gone). */
export async function removeMailboxFiles(mailboxId: string): Promise<void> {
  await rm(storedFilePath(mailboxFilesDir(mailboxId)), { recursive: true, force: true });
}

export async function sweepOrphanFiles(now = new Date()): Promise<OrphanSweepResult> {
  const cutoff = now.getTime() - config().orphanFileHours * HOUR_MS;
  const result: OrphanSweepResult = { orphanFiles: 0, mailboxDirs: 0 };
  // The folders first, then the mailboxes: a folder whose mailbox is missing then belongs to a deleted one.
  const dirs = (await entries(storedFilePath("mail"))).filter((d) => d.isDirectory() && d.name !== TMP_DIR);
  const mailboxes = await db().incomingMailbox.findMany({ select: { id: true, leaseUntil: true } });
  const byDir = new Map(mailboxes.map((m) => [path.basename(mailboxFilesDir(m.id)), m]));
  for (const dir of dirs) {
    const mailbox = byDir.get(dir.name);
    const relative = path.join("mail", dir.name);
    if (!mailbox) {
      await rm(storedFilePath(relative), { recursive: true, force: true });
      result.mailboxDirs++;
      continue;
    }
    if (mailbox.leaseUntil && mailbox.leaseUntil.getTime() > now.getTime()) continue;
    result.orphanFiles += await sweepMailboxDir(relative, cutoff);
  }
  for (const file of await entries(storedFilePath(path.join("mail", TMP_DIR)))) {
    const relative = path.join("mail", TMP_DIR, file.name);
    if (file.isFile() && (await olderThan(storedFilePath(relative), cutoff))) {
      await rm(storedFilePath(relative), { force: true });
      result.orphanFiles++;
    }
  }
  return result;
}
