// The mailboxes the Microsoft doubles serve: the same ones the rig's Dovecot serves (DoveadmMailStore), or an
// in-memory set for unit tests (MemoryMailStore). Folder names are Dovecot's ("INBOX", "Sent", "Archive/2024").
export type FolderInfo = {
  name: string;
  /** 32 hex digits: Dovecot's mailbox GUID, stable across restarts; changes when the folder is re-created */
  guid: string;
  total: number;
  unread: number;
};

export type MessageMeta = {
  uid: number;
  /** IMAP flags without \Recent */
  flags: string[];
  receivedAt: Date;
  /** size of the message with CRLF line ends, as served */
  size: number;
};

export interface MailStore {
  /** every mailbox address the store knows (lowercase) */
  mailboxes(): Promise<string[]>;
  hasMailbox(mailbox: string): Promise<boolean>;
  listFolders(mailbox: string): Promise<FolderInfo[]>;
  /** creates the folder when it is missing */
  ensureFolder(mailbox: string, folder: string): Promise<FolderInfo>;
  /** oldest (lowest UID) first; [] when the folder does not exist */
  listMessages(mailbox: string, folder: string): Promise<MessageMeta[]>;
  /** the raw message with CRLF line ends, or null when it is gone */
  readMessage(mailbox: string, folder: string, uid: number): Promise<Buffer | null>;
  append(mailbox: string, folder: string, raw: Buffer, flags?: string[]): Promise<void>;
  addFlags(mailbox: string, folder: string, uids: number[], flags: string[]): Promise<void>;
  removeFlags(mailbox: string, folder: string, uids: number[], flags: string[]): Promise<void>;
  /** moves one message; returns its UID in the target folder (null when the message was gone) */
  move(mailbox: string, folder: string, uid: number, toFolder: string): Promise<number | null>;
  expunge(mailbox: string, folder: string, uids: number[]): Promise<void>;
}

/** Exchange's well-known folder names (Graph well-known names = EWS DistinguishedFolderId) → Dovecot folders. */
export const WELL_KNOWN_FOLDERS: Record<string, { folder: string; displayName: string }> = {
  inbox: { folder: "INBOX", displayName: "Inbox" },
  sentitems: { folder: "Sent", displayName: "Sent Items" },
  deleteditems: { folder: "Trash", displayName: "Deleted Items" },
  drafts: { folder: "Drafts", displayName: "Drafts" },
  junkemail: { folder: "Junk", displayName: "Junk Email" },
  archive: { folder: "Archive", displayName: "Archive" },
  outbox: { folder: "Outbox", displayName: "Outbox" },
};

export function displayNameOf(folder: string): string {
  const known = Object.values(WELL_KNOWN_FOLDERS).find((entry) => entry.folder.toUpperCase() === folder.toUpperCase());
  return known?.displayName ?? folder.split("/").at(-1) ?? folder;
}

/** "INBOX" is case-insensitive in IMAP; every other folder name is compared as is. */
export function sameFolder(a: string, b: string): boolean {
  return a === b || (a.toUpperCase() === "INBOX" && b.toUpperCase() === "INBOX");
}

/** Converts bare LF line ends to CRLF (Maildir keeps LF; every protocol serves CRLF). */
export function toCrlf(raw: Buffer): Buffer {
  let bare = 0;
  for (let i = 0; i < raw.length; i++) if (raw[i] === 0x0a && (i === 0 || raw[i - 1] !== 0x0d)) bare++;
  if (bare === 0) return raw;
  const out = Buffer.allocUnsafe(raw.length + bare);
  let o = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x0a && (i === 0 || raw[i - 1] !== 0x0d)) out[o++] = 0x0d;
    out[o++] = raw[i];
  }
  return out;
}
