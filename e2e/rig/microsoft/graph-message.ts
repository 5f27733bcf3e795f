// The JSON shape of a Microsoft Graph message resource, built from a stored message.
import { createHash } from "node:crypto";
import { isoSeconds } from "./http-util";
import { changeKey, folderId, messageId } from "./item-ids";
import type { LocatedMessage } from "./mailbox-directory";
import type { Address, MessageSummary } from "./message-summary";

export type GraphMessage = Record<string, unknown>;

const recipient = (address: Address) => ({ emailAddress: { name: address.name, address: address.address } });

/**
 * MAPI properties the double can expand through `singleValueExtendedProperties`, by normalized id (Graph
 * answers with the id in that form: type, then the tag in lowercase hex without leading zeros).
 */
const EXTENDED: Record<string, (located: LocatedMessage) => string> = {
  // PidTagMessageSize: the message's size in the store
  "Integer 0xe08": (located) => String(located.meta.size),
};

function normalizedPropertyId(id: string): string {
  const tagged = /^(\w+)\s+0x([0-9a-f]+)$/i.exec(id.trim());
  if (!tagged) return id.trim();
  const type = tagged[1].charAt(0).toUpperCase() + tagged[1].slice(1).toLowerCase();
  return `${type} 0x${parseInt(tagged[2], 16).toString(16)}`;
}

/**
 * `$expand=singleValueExtendedProperties($filter=id eq '<id>' [or id eq '<id>'…])`: the named properties the
 * message has, as Graph shows them (a property it lacks is left out). Any other $expand expands nothing here.
 */
export function expandedProperties(expand: string | null, located: LocatedMessage): GraphMessage {
  const form = expand ? /^singleValueExtendedProperties\(\$filter=(.+)\)$/i.exec(expand.trim()) : null;
  if (!form) return {};
  const ids = [...form[1].matchAll(/id\s+eq\s+'([^']+)'/gi)].map((m) => normalizedPropertyId(m[1]));
  const properties = ids.filter((id) => EXTENDED[id]).map((id) => ({ id, value: EXTENDED[id](located) }));
  return { singleValueExtendedProperties: properties };
}

export function graphMessage(
  located: LocatedMessage,
  summary: MessageSummary,
  select: string[] | null,
  expand: string | null = null,
): GraphMessage {
  const { mailbox, folder, meta } = located;
  const id = messageId(mailbox, folder.guid, meta.uid, "base64url");
  const key = changeKey(meta.flags);
  const received = isoSeconds(meta.receivedAt);
  const full: GraphMessage = {
    "@odata.etag": `W/"${key}"`,
    id,
    createdDateTime: received,
    lastModifiedDateTime: received,
    changeKey: key,
    categories: [],
    receivedDateTime: received,
    sentDateTime: isoSeconds(summary.sentAt ?? meta.receivedAt),
    hasAttachments: summary.hasAttachments,
    internetMessageId: summary.internetMessageId,
    subject: summary.subject,
    bodyPreview: summary.bodyPreview,
    importance: "normal",
    parentFolderId: folderId(mailbox, folder.guid, "base64url"),
    conversationId: conversationId(summary),
    conversationIndex: null,
    isDeliveryReceiptRequested: false,
    isReadReceiptRequested: false,
    isRead: meta.flags.includes("\\Seen"),
    isDraft: meta.flags.includes("\\Draft"),
    webLink: `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`,
    inferenceClassification: "focused",
    body: summary.body,
    sender: summary.sender ? recipient(summary.sender) : null,
    from: summary.from ? recipient(summary.from) : null,
    toRecipients: summary.to.map(recipient),
    ccRecipients: summary.cc.map(recipient),
    bccRecipients: summary.bcc.map(recipient),
    replyTo: summary.replyTo.map(recipient),
    flag: { flagStatus: meta.flags.includes("\\Flagged") ? "flagged" : "notFlagged" },
  };
  const expanded = expandedProperties(expand, located);
  if (!select) return { ...full, ...expanded };
  const picked: GraphMessage = { "@odata.etag": full["@odata.etag"], id };
  for (const field of select) if (field in full) picked[field] = full[field];
  return { ...picked, ...expanded };
}

function conversationId(summary: MessageSummary): string {
  const root = summary.references?.split(/\s+/)[0] ?? summary.inReplyTo ?? summary.internetMessageId;
  const digest = createHash("sha256")
    .update(root || summary.subject)
    .digest()
    .subarray(0, 24);
  return Buffer.concat([Buffer.from([0x00, 0x03, 0x24, 0x00, 0x10]), digest]).toString("base64url");
}
