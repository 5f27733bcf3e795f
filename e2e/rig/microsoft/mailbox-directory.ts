// Finding folders and messages from what Graph and EWS clients send: well-known folder names, folder ids,
// message ids (which name their mailbox by a hash, so an id alone finds its mailbox).
import { folderId, mailboxHash, parseFolderId, parseMessageId } from "./item-ids";
import { WELL_KNOWN_FOLDERS, sameFolder, type FolderInfo, type MailStore, type MessageMeta } from "./mail-store";
import { summarize, type MessageSummary } from "./message-summary";

export type LocatedMessage = { mailbox: string; folder: FolderInfo; meta: MessageMeta };

export class MailboxDirectory {
  constructor(readonly store: MailStore) {}

  async mailboxByHash(hash: string): Promise<string | null> {
    return (await this.store.mailboxes()).find((mailbox) => mailboxHash(mailbox) === hash) ?? null;
  }

  /** A folder of `mailbox` by well-known name (created when missing, as Exchange always has them), folder id or name. */
  async folder(mailbox: string, ref: string): Promise<FolderInfo | null> {
    const wellKnown = WELL_KNOWN_FOLDERS[ref.toLowerCase()];
    if (wellKnown) return this.store.ensureFolder(mailbox, wellKnown.folder);
    const folders = await this.store.listFolders(mailbox);
    const parsed = parseFolderId(ref);
    if (parsed) {
      if (parsed.mailboxHash !== mailboxHash(mailbox)) return null;
      return folders.find((f) => f.guid === parsed.folderGuid) ?? null;
    }
    return folders.find((f) => sameFolder(f.name, ref)) ?? null;
  }

  /** The mailbox a folder id belongs to (null for a well-known name or a malformed id). */
  async mailboxOfFolderId(ref: string): Promise<string | null> {
    const parsed = parseFolderId(ref);
    return parsed ? this.mailboxByHash(parsed.mailboxHash) : null;
  }

  folderIdOf(mailbox: string, folder: FolderInfo, encoding: "base64" | "base64url"): string {
    return folderId(mailbox, folder.guid, encoding);
  }

  /** "malformed" for something that is not a message id; null for an id whose message is gone. */
  async message(id: string): Promise<LocatedMessage | null | "malformed"> {
    const ref = parseMessageId(id);
    if (!ref) return "malformed";
    const mailbox = await this.mailboxByHash(ref.mailboxHash);
    if (!mailbox) return null;
    const folder = (await this.store.listFolders(mailbox)).find((f) => f.guid === ref.folderGuid);
    if (!folder) return null;
    const meta = (await this.store.listMessages(mailbox, folder.name)).find((m) => m.uid === ref.uid);
    return meta ? { mailbox, folder, meta } : null;
  }

  /** The mailbox a message id names, even when the message is gone (for access checks). */
  async mailboxOfMessageId(id: string): Promise<string | null> {
    const ref = parseMessageId(id);
    return ref ? this.mailboxByHash(ref.mailboxHash) : null;
  }

  async raw(located: LocatedMessage): Promise<Buffer | null> {
    return this.store.readMessage(located.mailbox, located.folder.name, located.meta.uid);
  }

  async summary(located: LocatedMessage): Promise<MessageSummary | null> {
    const key = `${located.mailbox}/${located.folder.guid}/${located.meta.uid}`;
    return summarize(key, () => this.raw(located));
  }
}
