// The EWS operations a mail fetcher and sender use: FindItem, GetItem (with MimeContent), SyncFolderItems,
// CreateItem (SaveOnly / SendOnly / SendAndSaveCopy), UpdateItem (IsRead), MoveItem, DeleteItem, GetFolder
// and FindFolder. Each returns the inside of its <m:...Response> element.
import MailComposer from "nodemailer/lib/mail-composer";
import { checkMailboxAccess } from "./access";
import { itemIdXml, messageXml, parseItemShape, shapeNeedsSummary, type ItemShape } from "./ews-item";
import type { EwsOptions } from "./ews-server";
import { changeKey, folderId, messageId } from "./item-ids";
import { displayNameOf, type FolderInfo, type MessageMeta } from "./mail-store";
import type { LocatedMessage } from "./mailbox-directory";
import { headerAddress, headerAddresses } from "./sent-mail";
import { decodeSyncState, encodeSyncState, nextChanges } from "./sync-state";
import { child, children, descendant, escapeXml, textOf, type XmlElement } from "./xml";

export type EwsContext = {
  opts: EwsOptions;
  token: string;
  defaultMailbox: string;
  /** null when the token may use the mailbox, else the EWS error to answer */
  access(mailbox: string): Promise<ResponseError | null>;
};

type ResponseError = { code: string; text: string };
type Operation = (request: XmlElement, ctx: EwsContext) => Promise<string>;

const NOT_FOUND: ResponseError = {
  code: "ErrorItemNotFound",
  text: "The specified object was not found in the store., The process failed to get the correct properties.",
};
const FOLDER_NOT_FOUND: ResponseError = {
  code: "ErrorFolderNotFound",
  text: "The specified folder could not be found in the store.",
};
const MALFORMED_ID: ResponseError = { code: "ErrorInvalidIdMalformed", text: "Id is malformed." };

function responseMessage(operation: string, content: string | ResponseError): string {
  if (typeof content === "string") {
    return `<m:${operation}ResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>${content}</m:${operation}ResponseMessage>`;
  }
  return (
    `<m:${operation}ResponseMessage ResponseClass="Error"><m:MessageText>${escapeXml(content.text)}</m:MessageText>` +
    `<m:ResponseCode>${content.code}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey></m:${operation}ResponseMessage>`
  );
}

const responseMessages = (parts: string[]) => `<m:ResponseMessages>${parts.join("")}</m:ResponseMessages>`;

/** The mailbox and folder a DistinguishedFolderId (optionally with <t:Mailbox>) or FolderId names. */
async function resolveFolder(
  ref: XmlElement | undefined,
  ctx: EwsContext,
): Promise<{ mailbox: string; folder: FolderInfo } | ResponseError> {
  const directory = ctx.opts.directory;
  if (!ref) return FOLDER_NOT_FOUND;
  let mailbox: string;
  let key: string;
  if (ref.name === "DistinguishedFolderId") {
    mailbox = textOf(descendant(child(ref, "Mailbox"), "EmailAddress")).toLowerCase() || ctx.defaultMailbox;
    key = ref.attrs.Id ?? "";
    if (key === "msgfolderroot" || key === "root") key = "inbox";
  } else if (ref.name === "FolderId") {
    key = ref.attrs.Id ?? "";
    const owner = await directory.mailboxOfFolderId(key);
    if (!owner) return { code: "ErrorInvalidIdMalformed", text: "Id is malformed." };
    mailbox = owner;
  } else {
    return FOLDER_NOT_FOUND;
  }
  const denied = await ctx.access(mailbox);
  if (denied) return denied;
  const folder = await directory.folder(mailbox, key);
  return folder ? { mailbox, folder } : FOLDER_NOT_FOUND;
}

async function resolveItem(itemId: XmlElement, ctx: EwsContext): Promise<LocatedMessage | ResponseError> {
  const id = itemId.attrs.Id ?? "";
  const directory = ctx.opts.directory;
  const mailbox = await directory.mailboxOfMessageId(id);
  if (!mailbox) return (await directory.message(id)) === "malformed" ? MALFORMED_ID : NOT_FOUND;
  const denied = await ctx.access(mailbox);
  if (denied) return denied;
  const located = await directory.message(id);
  if (located === "malformed") return MALFORMED_ID;
  return located ?? NOT_FOUND;
}

async function renderItem(located: LocatedMessage, shape: ItemShape, ctx: EwsContext): Promise<string> {
  if (!shapeNeedsSummary(shape)) return `<t:Message>${itemIdXml(located)}</t:Message>`;
  const summary = await ctx.opts.directory.summary(located);
  if (!summary) return `<t:Message>${itemIdXml(located)}</t:Message>`;
  const raw = shape.properties.has("MimeContent") ? await ctx.opts.directory.raw(located) : null;
  return messageXml(located, summary, shape, raw);
}

type Restriction = (meta: MessageMeta) => boolean;

/** IsEqualTo message:IsRead and date comparisons on item:DateTimeReceived, possibly inside <t:And>. */
function parseRestriction(element: XmlElement | undefined): Restriction {
  if (!element) return () => true;
  const build = (node: XmlElement): Restriction => {
    if (node.name === "And") {
      const parts = node.children.map(build);
      return (meta) => parts.every((part) => part(meta));
    }
    const field = child(node, "FieldURI")?.attrs.FieldURI ?? "";
    const value = descendant(node, "Constant")?.attrs.Value ?? "";
    if (field === "message:IsRead" && node.name === "IsEqualTo") {
      return (meta) => meta.flags.includes("\\Seen") === (value.toLowerCase() === "true");
    }
    if (field === "item:DateTimeReceived" && !Number.isNaN(Date.parse(value))) {
      const limit = Date.parse(value);
      const at = (meta: MessageMeta) => Math.floor(meta.receivedAt.getTime() / 1000) * 1000;
      const compare: Record<string, Restriction> = {
        IsGreaterThan: (meta) => at(meta) > limit,
        IsGreaterThanOrEqualTo: (meta) => at(meta) >= limit,
        IsLessThan: (meta) => at(meta) < limit,
        IsLessThanOrEqualTo: (meta) => at(meta) <= limit,
        IsEqualTo: (meta) => at(meta) === limit,
      };
      if (compare[node.name]) return compare[node.name];
    }
    throw new Error(`unsupported restriction ${node.name} ${field}`);
  };
  const [first] = element.children;
  return first ? build(first) : () => true;
}

const findItem: Operation = async (request, ctx) => {
  const shape = parseItemShape(child(request, "ItemShape"));
  // FindItem cannot return MIME content or bodies in EWS.
  shape.properties.delete("MimeContent");
  shape.properties.delete("Body");
  let restriction: Restriction;
  try {
    restriction = parseRestriction(child(request, "Restriction"));
  } catch (error) {
    return responseMessages([
      responseMessage("FindItem", { code: "ErrorUnsupportedQueryFilter", text: (error as Error).message }),
    ]);
  }
  const view = child(request, "IndexedPageItemView");
  const max = Number(view?.attrs.MaxEntriesReturned ?? 1000);
  const offset = Number(view?.attrs.Offset ?? 0);
  const fromEnd = view?.attrs.BasePoint === "End";
  const order = descendant(child(request, "SortOrder"), "FieldOrder");
  const ascending = order?.attrs.Order === "Ascending";

  const parts: string[] = [];
  for (const ref of child(request, "ParentFolderIds")?.children ?? []) {
    const target = await resolveFolder(ref, ctx);
    if ("code" in target) {
      parts.push(responseMessage("FindItem", target));
      continue;
    }
    const all = (await ctx.opts.directory.store.listMessages(target.mailbox, target.folder.name)).filter(restriction);
    all.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || a.uid - b.uid);
    if (!ascending) all.reverse();
    const start = fromEnd ? Math.max(0, all.length - offset - max) : offset;
    const page = all.slice(start, start + max);
    const items: string[] = [];
    for (const meta of page) items.push(await renderItem({ ...target, meta }, shape, ctx));
    const last = start + page.length >= all.length;
    parts.push(
      responseMessage(
        "FindItem",
        `<m:RootFolder IndexedPagingOffset="${start + page.length}" TotalItemsInView="${all.length}" IncludesLastItemInRange="${last}"><t:Items>${items.join("")}</t:Items></m:RootFolder>`,
      ),
    );
  }
  return responseMessages(parts);
};

const getItem: Operation = async (request, ctx) => {
  const shape = parseItemShape(child(request, "ItemShape"), "Default");
  const parts: string[] = [];
  for (const itemId of children(child(request, "ItemIds"), "ItemId")) {
    const located = await resolveItem(itemId, ctx);
    parts.push(
      responseMessage(
        "GetItem",
        "code" in located ? located : `<m:Items>${await renderItem(located, shape, ctx)}</m:Items>`,
      ),
    );
  }
  return responseMessages(parts);
};

const syncFolderItems: Operation = async (request, ctx) => {
  const shape = parseItemShape(child(request, "ItemShape"));
  shape.properties.delete("MimeContent");
  const target = await resolveFolder(child(request, "SyncFolderId")?.children[0], ctx);
  if ("code" in target) return responseMessages([responseMessage("SyncFolderItems", target)]);
  const max = Math.min(512, Math.max(1, Number(textOf(child(request, "MaxChangesReturned")) || 512)));
  const token = textOf(child(request, "SyncState"));
  const previous = token ? decodeSyncState(token) : null;
  const invalid: ResponseError = {
    code: "ErrorInvalidSyncStateData",
    text: "Synchronization state data is corrupt or otherwise invalid.",
  };
  if (token && !previous) return responseMessages([responseMessage("SyncFolderItems", invalid)]);
  const messages = await ctx.opts.directory.store.listMessages(target.mailbox, target.folder.name);
  const round = nextChanges(target.folder.guid, messages, previous, max);
  if (!round) return responseMessages([responseMessage("SyncFolderItems", invalid)]);

  const changes: string[] = [];
  for (const change of round.changes) {
    if (change.kind === "deleted") {
      changes.push(
        `<t:Delete><t:ItemId Id="${messageId(target.mailbox, target.folder.guid, change.uid, "base64")}"/></t:Delete>`,
      );
    } else if (change.kind === "updated") {
      const located = { ...target, meta: change.message };
      changes.push(
        `<t:ReadFlagChange>${itemIdXml(located)}<t:IsRead>${change.message.flags.includes("\\Seen")}</t:IsRead></t:ReadFlagChange>`,
      );
    } else {
      changes.push(`<t:Create>${await renderItem({ ...target, meta: change.message }, shape, ctx)}</t:Create>`);
    }
  }
  const state = Buffer.from(encodeSyncState(round.state), "base64url").toString("base64");
  return responseMessages([
    responseMessage(
      "SyncFolderItems",
      `<m:SyncState>${state}</m:SyncState><m:IncludesLastItemInRange>${!round.more}</m:IncludesLastItemInRange><m:Changes>${changes.join("")}</m:Changes>`,
    ),
  ]);
};

const updateItem: Operation = async (request, ctx) => {
  const parts: string[] = [];
  for (const change of children(child(request, "ItemChanges"), "ItemChange")) {
    const itemId = child(change, "ItemId");
    const located = itemId ? await resolveItem(itemId, ctx) : NOT_FOUND;
    if ("code" in located) {
      parts.push(responseMessage("UpdateItem", located));
      continue;
    }
    const store = ctx.opts.directory.store;
    for (const set of children(child(change, "Updates"), "SetItemField")) {
      const field = child(set, "FieldURI")?.attrs.FieldURI;
      const value = textOf(descendant(set, "IsRead")).toLowerCase();
      if (field !== "message:IsRead" || (value !== "true" && value !== "false")) continue;
      if (value === "true") await store.addFlags(located.mailbox, located.folder.name, [located.meta.uid], ["\\Seen"]);
      else await store.removeFlags(located.mailbox, located.folder.name, [located.meta.uid], ["\\Seen"]);
    }
    const updated = (await store.listMessages(located.mailbox, located.folder.name)).find(
      (m) => m.uid === located.meta.uid,
    );
    const flags = updated?.flags ?? located.meta.flags;
    parts.push(
      responseMessage(
        "UpdateItem",
        `<m:Items><t:Message><t:ItemId Id="${messageId(located.mailbox, located.folder.guid, located.meta.uid, "base64")}" ChangeKey="${changeKey(flags)}"/></t:Message></m:Items><m:ConflictResults><t:Count>0</t:Count></m:ConflictResults>`,
      ),
    );
  }
  return responseMessages(parts);
};

const moveItem: Operation = async (request, ctx) => {
  const parts: string[] = [];
  const target = await resolveFolder(child(request, "ToFolderId")?.children[0], ctx);
  for (const itemId of children(child(request, "ItemIds"), "ItemId")) {
    const located = await resolveItem(itemId, ctx);
    if ("code" in located || "code" in target) {
      parts.push(responseMessage("MoveItem", "code" in located ? located : (target as ResponseError)));
      continue;
    }
    if (target.mailbox !== located.mailbox) {
      parts.push(
        responseMessage("MoveItem", {
          code: "ErrorCrossMailboxMoveCopy",
          text: "Cross-mailbox moves are not supported by this double.",
        }),
      );
      continue;
    }
    const uid = await ctx.opts.directory.store.move(
      located.mailbox,
      located.folder.name,
      located.meta.uid,
      target.folder.name,
    );
    if (uid === null) {
      parts.push(responseMessage("MoveItem", NOT_FOUND));
      continue;
    }
    const moved = { mailbox: located.mailbox, folder: target.folder, meta: { ...located.meta, uid } };
    parts.push(responseMessage("MoveItem", `<m:Items><t:Message>${itemIdXml(moved)}</t:Message></m:Items>`));
  }
  return responseMessages(parts);
};

const deleteItem: Operation = async (request, ctx) => {
  const deleteType = request.attrs.DeleteType ?? "MoveToDeletedItems";
  const parts: string[] = [];
  for (const itemId of children(child(request, "ItemIds"), "ItemId")) {
    const located = await resolveItem(itemId, ctx);
    if ("code" in located) {
      parts.push(responseMessage("DeleteItem", located));
      continue;
    }
    const store = ctx.opts.directory.store;
    const trash = await ctx.opts.directory.folder(located.mailbox, "deleteditems");
    if (deleteType === "MoveToDeletedItems" && trash && trash.guid !== located.folder.guid) {
      await store.move(located.mailbox, located.folder.name, located.meta.uid, trash.name);
    } else {
      await store.expunge(located.mailbox, located.folder.name, [located.meta.uid]);
    }
    parts.push(responseMessage("DeleteItem", ""));
  }
  return responseMessages(parts);
};

function addressesOf(element: XmlElement | undefined): string[] {
  return children(element, "Mailbox")
    .map((mailbox) => textOf(child(mailbox, "EmailAddress")).toLowerCase())
    .filter((address) => address.includes("@"));
}

const createItem: Operation = async (request, ctx) => {
  const disposition = request.attrs.MessageDisposition ?? "SaveOnly";
  const savedRef = child(request, "SavedItemFolderId")?.children[0];
  const parts: string[] = [];
  for (const message of children(child(request, "Items"), "Message")) {
    const saveFolder = savedRef ? await resolveFolder(savedRef, ctx) : null;
    if (saveFolder && "code" in saveFolder) {
      parts.push(responseMessage("CreateItem", saveFolder));
      continue;
    }
    const mailbox = saveFolder?.mailbox ?? ctx.defaultMailbox;
    const mime = textOf(child(message, "MimeContent"));
    let raw: Buffer;
    let recipients = [
      ...addressesOf(child(message, "ToRecipients")),
      ...addressesOf(child(message, "CcRecipients")),
      ...addressesOf(child(message, "BccRecipients")),
    ];
    if (mime) {
      raw = Buffer.from(mime, "base64");
      recipients.push(...["to", "cc", "bcc"].flatMap((header) => headerAddresses(raw, header)));
    } else {
      const body = child(message, "Body");
      const from = addressesOf(child(message, "From"))[0] ?? mailbox;
      raw = await new MailComposer({
        from,
        to: addressesOf(child(message, "ToRecipients")),
        cc: addressesOf(child(message, "CcRecipients")),
        bcc: addressesOf(child(message, "BccRecipients")),
        subject: textOf(child(message, "Subject")),
        [body?.attrs.BodyType === "HTML" ? "html" : "text"]: body?.text ?? "",
      })
        .compile()
        .build();
    }
    recipients = [...new Set(recipients)];
    const store = ctx.opts.directory.store;

    if (disposition === "SaveOnly") {
      const folder = saveFolder?.folder ?? (await ctx.opts.directory.folder(mailbox, "drafts"))!;
      const before = new Set((await store.listMessages(mailbox, folder.name)).map((m) => m.uid));
      await store.append(mailbox, folder.name, raw, ["\\Draft"]);
      const saved = (await store.listMessages(mailbox, folder.name)).find((m) => !before.has(m.uid));
      const items = saved ? `<t:Message>${itemIdXml({ mailbox, folder, meta: saved })}</t:Message>` : "";
      parts.push(responseMessage("CreateItem", `<m:Items>${items}</m:Items>`));
      continue;
    }
    if (recipients.length === 0) {
      parts.push(
        responseMessage("CreateItem", { code: "ErrorInvalidRecipients", text: "At least one recipient isn't valid." }),
      );
      continue;
    }
    const sender = headerAddress(raw, "from") ?? mailbox;
    if (sender !== mailbox) {
      const access = await checkMailboxAccess(ctx.opts.introspect, ctx.token, "ews", sender);
      if (!access.ok) {
        parts.push(
          responseMessage("CreateItem", {
            code: "ErrorSendAsDenied",
            text: "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account.",
          }),
        );
        continue;
      }
    }
    await ctx.opts.outbox({ from: sender, to: recipients }, raw);
    if (disposition === "SendAndSaveCopy") {
      const folder = saveFolder?.folder ?? (await ctx.opts.directory.folder(mailbox, "sentitems"))!;
      await store.append(mailbox, folder.name, raw, ["\\Seen"]);
    }
    ctx.opts.log(`ews: ${mailbox} sent a message as ${sender} to ${recipients.length} recipient(s)`);
    parts.push(responseMessage("CreateItem", "<m:Items/>"));
  }
  return responseMessages(parts);
};

function folderXml(mailbox: string, folder: FolderInfo): string {
  return (
    `<t:Folder><t:FolderId Id="${folderId(mailbox, folder.guid, "base64")}" ChangeKey="AQAAAA=="/>` +
    `<t:FolderClass>IPF.Note</t:FolderClass><t:DisplayName>${escapeXml(displayNameOf(folder.name))}</t:DisplayName>` +
    `<t:TotalCount>${folder.total}</t:TotalCount><t:ChildFolderCount>0</t:ChildFolderCount><t:UnreadCount>${folder.unread}</t:UnreadCount></t:Folder>`
  );
}

const getFolder: Operation = async (request, ctx) => {
  const parts: string[] = [];
  for (const ref of child(request, "FolderIds")?.children ?? []) {
    const target = await resolveFolder(ref, ctx);
    parts.push(
      responseMessage(
        "GetFolder",
        "code" in target ? target : `<m:Folders>${folderXml(target.mailbox, target.folder)}</m:Folders>`,
      ),
    );
  }
  return responseMessages(parts);
};

const findFolder: Operation = async (request, ctx) => {
  const parts: string[] = [];
  for (const ref of child(request, "ParentFolderIds")?.children ?? []) {
    const mailbox =
      ref.name === "DistinguishedFolderId"
        ? textOf(descendant(child(ref, "Mailbox"), "EmailAddress")).toLowerCase() || ctx.defaultMailbox
        : ((await ctx.opts.directory.mailboxOfFolderId(ref.attrs.Id ?? "")) ?? ctx.defaultMailbox);
    const denied = await ctx.access(mailbox);
    if (denied) {
      parts.push(responseMessage("FindFolder", denied));
      continue;
    }
    // The double's folders hang directly below the message folder root.
    const folders = await ctx.opts.directory.store.listFolders(mailbox);
    parts.push(
      responseMessage(
        "FindFolder",
        `<m:RootFolder TotalItemsInView="${folders.length}" IncludesLastItemInRange="true"><t:Folders>${folders.map((f) => folderXml(mailbox, f)).join("")}</t:Folders></m:RootFolder>`,
      ),
    );
  }
  return responseMessages(parts);
};

export const EWS_OPERATIONS: Record<string, Operation> = {
  FindItem: findItem,
  GetItem: getItem,
  SyncFolderItems: syncFolderItems,
  CreateItem: createItem,
  UpdateItem: updateItem,
  MoveItem: moveItem,
  DeleteItem: deleteItem,
  GetFolder: getFolder,
  FindFolder: findFolder,
};
