// Graph/EWS ids of messages and folders, derived from what Dovecot keeps stable across restarts: the
// mailbox address, the folder's GUID and the message UID. Like Exchange ids they are opaque base64 and
// change when a message moves. Graph writes them base64url, EWS plain base64; both forms decode.
import { createHash } from "node:crypto";

const MESSAGE_TAG = Buffer.from([0x00, 0x03, 0x24]); // base64 "AAMk", like Exchange message ids
const FOLDER_TAG = Buffer.from([0x00, 0x01, 0x2e]); // base64 "AAEu"
const MAILBOX_HASH_BYTES = 6;

export type MessageRef = { mailboxHash: string; folderGuid: string; uid: number };
export type FolderRef = { mailboxHash: string; folderGuid: string };

export function mailboxHash(mailbox: string): string {
  return createHash("sha256").update(mailbox.toLowerCase()).digest().subarray(0, MAILBOX_HASH_BYTES).toString("hex");
}

export function messageId(mailbox: string, folderGuid: string, uid: number, encoding: "base64" | "base64url"): string {
  const uidBytes = Buffer.alloc(4);
  uidBytes.writeUInt32BE(uid);
  return Buffer.concat([
    MESSAGE_TAG,
    Buffer.from(mailboxHash(mailbox), "hex"),
    Buffer.from(folderGuid, "hex"),
    uidBytes,
  ]).toString(encoding);
}

export function folderId(mailbox: string, folderGuid: string, encoding: "base64" | "base64url"): string {
  return Buffer.concat([FOLDER_TAG, Buffer.from(mailboxHash(mailbox), "hex"), Buffer.from(folderGuid, "hex")]).toString(
    encoding,
  );
}

export function parseMessageId(id: string): MessageRef | null {
  const bytes = decode(id, MESSAGE_TAG, MAILBOX_HASH_BYTES + 16 + 4);
  if (!bytes) return null;
  return {
    mailboxHash: bytes.subarray(0, MAILBOX_HASH_BYTES).toString("hex"),
    folderGuid: bytes.subarray(MAILBOX_HASH_BYTES, MAILBOX_HASH_BYTES + 16).toString("hex"),
    uid: bytes.readUInt32BE(MAILBOX_HASH_BYTES + 16),
  };
}

export function parseFolderId(id: string): FolderRef | null {
  const bytes = decode(id, FOLDER_TAG, MAILBOX_HASH_BYTES + 16);
  if (!bytes) return null;
  return {
    mailboxHash: bytes.subarray(0, MAILBOX_HASH_BYTES).toString("hex"),
    folderGuid: bytes.subarray(MAILBOX_HASH_BYTES).toString("hex"),
  };
}

function decode(id: string, tag: Buffer, length: number): Buffer | null {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(id)) return null;
  const bytes = Buffer.from(id.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (bytes.length !== tag.length + length || !bytes.subarray(0, tag.length).equals(tag)) return null;
  return bytes.subarray(tag.length);
}

/** A change key that moves whenever the message's flags change (EWS ChangeKey, Graph changeKey/@odata.etag). */
export function changeKey(flags: string[]): string {
  const digest = createHash("sha256")
    .update([...flags].sort().join(" "))
    .digest()
    .subarray(0, 8);
  return Buffer.concat([Buffer.from([0x09, 0x00, 0x00, 0x00, 0x16, 0x00]), digest]).toString("base64");
}
