// The EWS <t:Message> of a stored message for a requested ItemShape (BaseShape, AdditionalProperties,
// IncludeMimeContent, BodyType), with the properties in the order of the EWS schema.
import { isoSeconds } from "./http-util";
import { changeKey, folderId, messageId } from "./item-ids";
import type { LocatedMessage } from "./mailbox-directory";
import type { Address, MessageSummary } from "./message-summary";
import { child, children, escapeXml, textOf, type XmlElement } from "./xml";

export type ItemShape = { properties: Set<string>; bodyType: "Best" | "HTML" | "Text" };

const DEFAULT_PROPERTIES = [
  "ItemId",
  "ParentFolderId",
  "ItemClass",
  "Subject",
  "Sensitivity",
  "DateTimeReceived",
  "Size",
  "Importance",
  "DateTimeSent",
  "DateTimeCreated",
  "HasAttachments",
  "Sender",
  "ToRecipients",
  "CcRecipients",
  "From",
  "InternetMessageId",
  "IsRead",
];
const ALL_PROPERTIES = [...DEFAULT_PROPERTIES, "Body", "InReplyTo", "BccRecipients", "References", "ReplyTo"];
const SCHEMA_ORDER = [
  "MimeContent",
  "ItemId",
  "ParentFolderId",
  "ItemClass",
  "Subject",
  "Sensitivity",
  "Body",
  "DateTimeReceived",
  "Size",
  "Importance",
  "InReplyTo",
  "DateTimeSent",
  "DateTimeCreated",
  "HasAttachments",
  "Sender",
  "ToRecipients",
  "CcRecipients",
  "BccRecipients",
  "From",
  "InternetMessageId",
  "IsRead",
  "References",
  "ReplyTo",
];

export function parseItemShape(shape: XmlElement | undefined, fallback: "IdOnly" | "Default" = "IdOnly"): ItemShape {
  const base = textOf(child(shape, "BaseShape")) || fallback;
  const properties = new Set(
    base === "IdOnly" ? ["ItemId"] : base === "AllProperties" ? ALL_PROPERTIES : DEFAULT_PROPERTIES,
  );
  properties.add("ItemId");
  if (textOf(child(shape, "IncludeMimeContent")).toLowerCase() === "true") properties.add("MimeContent");
  for (const field of children(child(shape, "AdditionalProperties"), "FieldURI")) {
    const name = (field.attrs.FieldURI ?? "").split(":")[1];
    if (name) properties.add(name);
  }
  const bodyType = textOf(child(shape, "BodyType"));
  return { properties, bodyType: bodyType === "HTML" || bodyType === "Text" ? bodyType : "Best" };
}

export function itemIdXml(located: LocatedMessage): string {
  const id = messageId(located.mailbox, located.folder.guid, located.meta.uid, "base64");
  return `<t:ItemId Id="${id}" ChangeKey="${changeKey(located.meta.flags)}"/>`;
}

const mailboxXml = (address: Address) =>
  `<t:Mailbox><t:Name>${escapeXml(address.name)}</t:Name><t:EmailAddress>${escapeXml(address.address)}</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType><t:MailboxType>OneOff</t:MailboxType></t:Mailbox>`;

export function messageXml(
  located: LocatedMessage,
  summary: MessageSummary,
  shape: ItemShape,
  raw: Buffer | null,
): string {
  const { meta } = located;
  const single = (name: string, address: Address | null) =>
    address ? `<t:${name}>${mailboxXml(address)}</t:${name}>` : "";
  const list = (name: string, addresses: Address[]) =>
    addresses.length > 0 ? `<t:${name}>${addresses.map(mailboxXml).join("")}</t:${name}>` : "";
  const text = (name: string, value: string) => `<t:${name}>${escapeXml(value)}</t:${name}>`;
  const body = () => {
    const html = summary.body.contentType === "html";
    if (shape.bodyType === "Text" || !html) return `<t:Body BodyType="Text">${escapeXml(summary.textBody)}</t:Body>`;
    return `<t:Body BodyType="HTML">${escapeXml(summary.body.content)}</t:Body>`;
  };
  const render: Record<string, () => string> = {
    MimeContent: () => (raw ? `<t:MimeContent CharacterSet="UTF-8">${raw.toString("base64")}</t:MimeContent>` : ""),
    ItemId: () => itemIdXml(located),
    ParentFolderId: () =>
      `<t:ParentFolderId Id="${folderId(located.mailbox, located.folder.guid, "base64")}" ChangeKey="AQAAAA=="/>`,
    ItemClass: () => text("ItemClass", "IPM.Note"),
    Subject: () => text("Subject", summary.subject),
    Sensitivity: () => text("Sensitivity", "Normal"),
    Body: body,
    DateTimeReceived: () => text("DateTimeReceived", isoSeconds(meta.receivedAt)),
    Size: () => text("Size", String(meta.size)),
    Importance: () => text("Importance", "Normal"),
    InReplyTo: () => (summary.inReplyTo ? text("InReplyTo", summary.inReplyTo) : ""),
    DateTimeSent: () => text("DateTimeSent", isoSeconds(summary.sentAt ?? meta.receivedAt)),
    DateTimeCreated: () => text("DateTimeCreated", isoSeconds(meta.receivedAt)),
    HasAttachments: () => text("HasAttachments", String(summary.hasAttachments)),
    Sender: () => single("Sender", summary.sender),
    ToRecipients: () => list("ToRecipients", summary.to),
    CcRecipients: () => list("CcRecipients", summary.cc),
    BccRecipients: () => list("BccRecipients", summary.bcc),
    From: () => single("From", summary.from),
    InternetMessageId: () => text("InternetMessageId", summary.internetMessageId),
    IsRead: () => text("IsRead", String(meta.flags.includes("\\Seen"))),
    References: () => (summary.references ? text("References", summary.references) : ""),
    ReplyTo: () => list("ReplyTo", summary.replyTo),
  };
  const parts = SCHEMA_ORDER.filter((name) => shape.properties.has(name)).map((name) => render[name]());
  return `<t:Message>${parts.join("")}</t:Message>`;
}

/** Whether rendering the shape needs the MIME content or its parsed summary (IdOnly needs neither). */
export function shapeNeedsSummary(shape: ItemShape): boolean {
  return [...shape.properties].some((name) => name !== "ItemId");
}
