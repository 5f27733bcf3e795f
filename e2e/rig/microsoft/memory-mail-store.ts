// A MailStore held in memory, for unit tests of the Microsoft doubles without a Dovecot.
import { randomBytes } from "node:crypto";
import { sameFolder, toCrlf, type FolderInfo, type MailStore, type MessageMeta } from "./mail-store";

type StoredMessage = MessageMeta & { raw: Buffer };
type Folder = { name: string; guid: string; uidNext: number; messages: StoredMessage[] };

export class MemoryMailStore implements MailStore {
  private readonly boxes = new Map<string, Folder[]>();

  constructor(mailboxes: string[]) {
    for (const mailbox of mailboxes) {
      this.boxes.set(
        mailbox.toLowerCase(),
        ["INBOX", "Sent", "Drafts", "Trash", "Junk"].map((name) => newFolder(name)),
      );
    }
  }

  /** Test helper: puts a message into a folder as if it had been delivered. */
  deliver(mailbox: string, raw: string | Buffer, folder = "INBOX", receivedAt = new Date()): number {
    const target = this.folderOrCreate(mailbox, folder);
    const uid = target.uidNext++;
    const body = toCrlf(Buffer.from(raw));
    target.messages.push({ uid, flags: [], receivedAt, size: body.length, raw: body });
    return uid;
  }

  /** Test helper: drops and re-creates a folder (new GUID, as after UIDVALIDITY changes). */
  recreateFolder(mailbox: string, folder: string): void {
    const folders = this.folders(mailbox);
    const index = folders.findIndex((f) => sameFolder(f.name, folder));
    if (index >= 0) folders[index] = newFolder(folders[index].name);
  }

  async mailboxes(): Promise<string[]> {
    return [...this.boxes.keys()];
  }

  async hasMailbox(mailbox: string): Promise<boolean> {
    return this.boxes.has(mailbox.toLowerCase());
  }

  async listFolders(mailbox: string): Promise<FolderInfo[]> {
    return this.folders(mailbox).map(info);
  }

  async ensureFolder(mailbox: string, folder: string): Promise<FolderInfo> {
    return info(this.folderOrCreate(mailbox, folder));
  }

  async listMessages(mailbox: string, folder: string): Promise<MessageMeta[]> {
    return (this.find(mailbox, folder)?.messages ?? []).map(({ uid, flags, receivedAt, size }) => ({
      uid,
      flags: [...flags],
      receivedAt,
      size,
    }));
  }

  async readMessage(mailbox: string, folder: string, uid: number): Promise<Buffer | null> {
    return this.find(mailbox, folder)?.messages.find((m) => m.uid === uid)?.raw ?? null;
  }

  async append(mailbox: string, folder: string, raw: Buffer, flags: string[] = []): Promise<void> {
    const uid = this.deliver(mailbox, raw, folder);
    await this.addFlags(mailbox, folder, [uid], flags);
  }

  async addFlags(mailbox: string, folder: string, uids: number[], flags: string[]): Promise<void> {
    for (const message of this.selected(mailbox, folder, uids)) {
      message.flags = [...new Set([...message.flags, ...flags])];
    }
  }

  async removeFlags(mailbox: string, folder: string, uids: number[], flags: string[]): Promise<void> {
    for (const message of this.selected(mailbox, folder, uids)) {
      message.flags = message.flags.filter((flag) => !flags.includes(flag));
    }
  }

  async move(mailbox: string, folder: string, uid: number, toFolder: string): Promise<number | null> {
    const source = this.find(mailbox, folder);
    const message = source?.messages.find((m) => m.uid === uid);
    if (!source || !message) return null;
    const target = this.folderOrCreate(mailbox, toFolder);
    const newUid = target.uidNext++;
    target.messages.push({ ...message, uid: newUid });
    source.messages = source.messages.filter((m) => m !== message);
    return newUid;
  }

  async expunge(mailbox: string, folder: string, uids: number[]): Promise<void> {
    const source = this.find(mailbox, folder);
    if (source) source.messages = source.messages.filter((m) => !uids.includes(m.uid));
  }

  private folders(mailbox: string): Folder[] {
    const folders = this.boxes.get(mailbox.toLowerCase());
    if (!folders) throw new Error(`no mailbox ${mailbox}`);
    return folders;
  }

  private find(mailbox: string, folder: string): Folder | undefined {
    return this.folders(mailbox).find((f) => sameFolder(f.name, folder));
  }

  private folderOrCreate(mailbox: string, folder: string): Folder {
    const existing = this.find(mailbox, folder);
    if (existing) return existing;
    const created = newFolder(folder);
    this.folders(mailbox).push(created);
    return created;
  }

  private selected(mailbox: string, folder: string, uids: number[]): StoredMessage[] {
    return (this.find(mailbox, folder)?.messages ?? []).filter((m) => uids.includes(m.uid));
  }
}

function newFolder(name: string): Folder {
  return { name, guid: randomBytes(16).toString("hex"), uidNext: 1, messages: [] };
}

function info(folder: Folder): FolderInfo {
  return {
    name: folder.name,
    guid: folder.guid,
    total: folder.messages.length,
    unread: folder.messages.filter((m) => !m.flags.includes("\\Seen")).length,
  };
}
