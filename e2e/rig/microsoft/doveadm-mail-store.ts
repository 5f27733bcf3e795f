// The MailStore of the running rig: every read and change goes through `doveadm -c <dovecotConf>`, so the
// Microsoft doubles see and change exactly the mail the rig's Dovecot serves over IMAP and POP3.
import { execFile } from "node:child_process";
import { sameFolder, toCrlf, type FolderInfo, type MailStore, type MessageMeta } from "./mail-store";

type DoveadmResult = { stdout: Buffer; stderr: string; code: number };

export class DoveadmMailStore implements MailStore {
  constructor(private readonly dovecotConf: string) {}

  async mailboxes(): Promise<string[]> {
    const out = await this.ok(["user", "*"]);
    return out
      .toString("utf8")
      .split("\n")
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line.includes("@"));
  }

  async hasMailbox(mailbox: string): Promise<boolean> {
    const result = await this.run(["user", mailbox.toLowerCase()]);
    return result.code === 0;
  }

  async listFolders(mailbox: string): Promise<FolderInfo[]> {
    const out = await this.ok(["-f", "json", "mailbox", "status", "-u", mailbox, "guid messages unseen", "*"]);
    const rows = JSON.parse(out.toString("utf8") || "[]") as Record<string, string>[];
    return rows.map((row) => ({
      name: row.mailbox,
      guid: row.guid,
      total: Number(row.messages),
      unread: Number(row.unseen),
    }));
  }

  async ensureFolder(mailbox: string, folder: string): Promise<FolderInfo> {
    const existing = await this.folderInfo(mailbox, folder);
    if (existing) return existing;
    const created = await this.run(["mailbox", "create", "-u", mailbox, folder]);
    if (created.code !== 0 && !/already exists/i.test(created.stderr))
      throw this.failure(["mailbox", "create"], created);
    const info = await this.folderInfo(mailbox, folder);
    if (!info) throw new Error(`doveadm: folder ${folder} of ${mailbox} missing after create`);
    return info;
  }

  async listMessages(mailbox: string, folder: string): Promise<MessageMeta[]> {
    const result = await this.run([
      "-f",
      "json",
      "fetch",
      "-u",
      mailbox,
      "uid flags date.received.unixtime size.virtual",
      "mailbox",
      folder,
      "all",
    ]);
    if (result.code !== 0) return [];
    const rows = JSON.parse(result.stdout.toString("utf8") || "[]") as Record<string, string>[];
    return rows
      .map((row) => ({
        uid: Number(row.uid),
        // \Recent belongs to doveadm's own session, not to the message.
        flags: row.flags.split(" ").filter((flag) => flag !== "" && flag !== "\\Recent"),
        receivedAt: new Date(Number(row["date.received.unixtime"]) * 1000),
        size: Number(row["size.virtual"]),
      }))
      .sort((a, b) => a.uid - b.uid);
  }

  async readMessage(mailbox: string, folder: string, uid: number): Promise<Buffer | null> {
    // The pager formatter prints "text:\n" and then the message bytes unchanged; with one message there is no
    // record separator to confuse with the content, so binary content survives.
    const result = await this.run([
      "-f",
      "pager",
      "fetch",
      "-u",
      mailbox,
      "text",
      "mailbox",
      folder,
      "uid",
      String(uid),
    ]);
    const prefix = Buffer.from("text:\n");
    if (
      result.code !== 0 ||
      result.stdout.length < prefix.length ||
      !result.stdout.subarray(0, prefix.length).equals(prefix)
    ) {
      return null;
    }
    return toCrlf(result.stdout.subarray(prefix.length));
  }

  async append(mailbox: string, folder: string, raw: Buffer, flags: string[] = []): Promise<void> {
    await this.ensureFolder(mailbox, folder);
    const before = await this.uidNext(mailbox, folder);
    await this.ok(["save", "-u", mailbox, "-m", folder], raw);
    if (flags.length > 0)
      await this.ok(["flags", "add", "-u", mailbox, flags.join(" "), "mailbox", folder, "uid", `${before}:*`]);
  }

  async addFlags(mailbox: string, folder: string, uids: number[], flags: string[]): Promise<void> {
    if (uids.length === 0 || flags.length === 0) return;
    await this.ok(["flags", "add", "-u", mailbox, flags.join(" "), "mailbox", folder, "uid", uids.join(",")]);
  }

  async removeFlags(mailbox: string, folder: string, uids: number[], flags: string[]): Promise<void> {
    if (uids.length === 0 || flags.length === 0) return;
    await this.ok(["flags", "remove", "-u", mailbox, flags.join(" "), "mailbox", folder, "uid", uids.join(",")]);
  }

  async move(mailbox: string, folder: string, uid: number, toFolder: string): Promise<number | null> {
    if (sameFolder(folder, toFolder)) return uid;
    const guidOut = await this.ok([
      "-f",
      "json",
      "fetch",
      "-u",
      mailbox,
      "guid",
      "mailbox",
      folder,
      "uid",
      String(uid),
    ]);
    const rows = JSON.parse(guidOut.toString("utf8") || "[]") as { guid: string }[];
    if (rows.length === 0) return null;
    const target = await this.ensureFolder(mailbox, toFolder);
    await this.ok(["move", "-u", mailbox, toFolder, "mailbox", folder, "uid", String(uid)]);
    // doveadm move does not print the new UID; the message GUID survives the move and finds it.
    const found = await this.ok(["search", "-u", mailbox, "mailbox-guid", target.guid, "guid", rows[0].guid]);
    const uids = found
      .toString("utf8")
      .split("\n")
      .map((line) => Number(line.trim().split(/\s+/)[1]))
      .filter((n) => Number.isInteger(n) && n > 0);
    return uids.length > 0 ? Math.max(...uids) : null;
  }

  async expunge(mailbox: string, folder: string, uids: number[]): Promise<void> {
    if (uids.length === 0) return;
    await this.ok(["expunge", "-u", mailbox, "mailbox", folder, "uid", uids.join(",")]);
  }

  private async folderInfo(mailbox: string, folder: string): Promise<FolderInfo | null> {
    const result = await this.run(["-f", "json", "mailbox", "status", "-u", mailbox, "guid messages unseen", folder]);
    if (result.code !== 0) return null;
    const [row] = JSON.parse(result.stdout.toString("utf8") || "[]") as Record<string, string>[];
    return row ? { name: row.mailbox, guid: row.guid, total: Number(row.messages), unread: Number(row.unseen) } : null;
  }

  private async uidNext(mailbox: string, folder: string): Promise<number> {
    const out = await this.ok(["-f", "json", "mailbox", "status", "-u", mailbox, "uidnext", folder]);
    const [row] = JSON.parse(out.toString("utf8") || "[]") as { uidnext: string }[];
    return Number(row?.uidnext ?? 1);
  }

  private run(args: string[], input?: Buffer): Promise<DoveadmResult> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        "doveadm",
        ["-c", this.dovecotConf, ...args],
        { encoding: "buffer", maxBuffer: 256 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== "number") return reject(error);
          resolve({ stdout, stderr: stderr.toString("utf8"), code: error ? Number(error.code) : 0 });
        },
      );
      child.stdin?.end(input);
    });
  }

  private async ok(args: string[], input?: Buffer): Promise<Buffer> {
    const result = await this.run(args, input);
    if (result.code !== 0) throw this.failure(args, result);
    return result.stdout;
  }

  private failure(args: string[], result: DoveadmResult): Error {
    return new Error(`doveadm ${args.slice(0, 2).join(" ")} exited ${result.code}: ${result.stderr.trim()}`);
  }
}
