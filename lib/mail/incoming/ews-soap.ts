// The few EWS SOAP requests a fetcher needs, and namespace-prefix-agnostic reading of their answers.
export const EWS_NS = {
  soap: "http://schemas.xmlsoap.org/soap/envelope/",
  messages: "http://schemas.microsoft.com/exchange/services/2006/messages",
  types: "http://schemas.microsoft.com/exchange/services/2006/types",
};

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function envelope(body: string, opts: { impersonate?: string } = {}): string {
  const impersonation = opts.impersonate
    ? `<t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>${escapeXml(opts.impersonate)}</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>`
    : "";
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap:Envelope xmlns:soap="${EWS_NS.soap}" xmlns:m="${EWS_NS.messages}" xmlns:t="${EWS_NS.types}">` +
    `<soap:Header><t:RequestServerVersion Version="Exchange2016"/>${impersonation}</soap:Header>` +
    `<soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

/** A folder reference: a well-known folder of a (possibly other) mailbox, or a folder id. */
export type FolderRef = { distinguished: string; mailbox?: string } | { id: string };

export function folderRefXml(ref: FolderRef): string {
  if ("id" in ref) return `<t:FolderId Id="${escapeXml(ref.id)}"/>`;
  const mailbox = ref.mailbox
    ? `<t:Mailbox><t:EmailAddress>${escapeXml(ref.mailbox)}</t:EmailAddress></t:Mailbox>`
    : "";
  return `<t:DistinguishedFolderId Id="${escapeXml(ref.distinguished)}">${mailbox}</t:DistinguishedFolderId>`;
}

export const requests = {
  getFolder: (ref: FolderRef) =>
    `<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds>${folderRefXml(ref)}</m:FolderIds></m:GetFolder>`,
  findFolder: (parent: FolderRef, displayName: string) =>
    `<m:FindFolder Traversal="Deep"><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape>` +
    `<m:Restriction><t:IsEqualTo><t:FieldURI FieldURI="folder:DisplayName"/><t:FieldURIOrConstant><t:Constant Value="${escapeXml(displayName)}"/></t:FieldURIOrConstant></t:IsEqualTo></m:Restriction>` +
    `<m:ParentFolderIds>${folderRefXml(parent)}</m:ParentFolderIds></m:FindFolder>`,
  syncFolderItems: (folder: FolderRef, syncState: string | null) =>
    `<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="item:Size"/><t:FieldURI FieldURI="item:DateTimeReceived"/></t:AdditionalProperties></m:ItemShape>` +
    `<m:SyncFolderId>${folderRefXml(folder)}</m:SyncFolderId>${syncState ? `<m:SyncState>${escapeXml(syncState)}</m:SyncState>` : ""}` +
    `<m:MaxChangesReturned>512</m:MaxChangesReturned></m:SyncFolderItems>`,
  findOldest: (folder: FolderRef) =>
    `<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>` +
    `<m:IndexedPageItemView MaxEntriesReturned="1" Offset="0" BasePoint="Beginning"/>` +
    `<m:SortOrder><t:FieldOrder Order="Ascending"><t:FieldURI FieldURI="item:DateTimeReceived"/></t:FieldOrder></m:SortOrder>` +
    `<m:ParentFolderIds>${folderRefXml(folder)}</m:ParentFolderIds></m:FindItem>`,
  getMime: (id: string) => requests.getMimes([id]),
  getMimes: (ids: string[]) =>
    `<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:IncludeMimeContent>true</t:IncludeMimeContent></m:ItemShape>` +
    `<m:ItemIds>${ids.map((id) => `<t:ItemId Id="${escapeXml(id)}"/>`).join("")}</m:ItemIds></m:GetItem>`,
  markRead: (id: string) =>
    `<m:UpdateItem MessageDisposition="SaveOnly" ConflictResolution="AutoResolve"><m:ItemChanges><t:ItemChange><t:ItemId Id="${escapeXml(id)}"/>` +
    `<t:Updates><t:SetItemField><t:FieldURI FieldURI="message:IsRead"/><t:Message><t:IsRead>true</t:IsRead></t:Message></t:SetItemField></t:Updates>` +
    `</t:ItemChange></m:ItemChanges></m:UpdateItem>`,
  move: (id: string, target: FolderRef) =>
    `<m:MoveItem><m:ToFolderId>${folderRefXml(target)}</m:ToFolderId><m:ItemIds><t:ItemId Id="${escapeXml(id)}"/></m:ItemIds></m:MoveItem>`,
  delete: (id: string) =>
    `<m:DeleteItem DeleteType="MoveToDeletedItems"><m:ItemIds><t:ItemId Id="${escapeXml(id)}"/></m:ItemIds></m:DeleteItem>`,
};

const unescape = (text: string) =>
  text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

/** Text content of every element with this local name. */
export function elementTexts(xml: string, localName: string): string[] {
  const pattern = new RegExp(`<(?:[\\w-]+:)?${localName}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w-]+:)?${localName}>`, "g");
  return [...xml.matchAll(pattern)].map((m) => unescape(m[1]));
}

/** The value of an attribute on every element with this local name. */
export function elementAttrs(xml: string, localName: string, attribute: string): string[] {
  const pattern = new RegExp(`<(?:[\\w-]+:)?${localName}\\s[^>]*?\\b${attribute}="([^"]*)"`, "g");
  return [...xml.matchAll(pattern)].map((m) => unescape(m[1]));
}

/** The first error of a response (ResponseClass="Error" or a SOAP fault), or null. */
export function ewsError(xml: string): { code: string; text: string } | null {
  const fault = elementTexts(xml, "faultstring")[0];
  if (fault !== undefined) return { code: elementTexts(xml, "ResponseCode")[0] ?? "SoapFault", text: fault };
  if (!/ResponseClass="Error"/.test(xml)) return null;
  const codes = elementTexts(xml, "ResponseCode").filter((c) => c !== "NoError");
  return { code: codes[0] ?? "Error", text: elementTexts(xml, "MessageText")[0] ?? "" };
}

/**
 * The back-off (ms) of a throttled answer — ErrorServerBusy, as a SOAP fault or a response message, naming
 * BackOffMilliseconds in its MessageXml (0 when it names none) — or null for any other answer.
 */
export function serverBusyBackOff(xml: string): number | null {
  if (!/ErrorServerBusy/.test(xml)) return null;
  const codes = [...elementTexts(xml, "ResponseCode"), ...elementTexts(xml, "faultcode")].map((c) => c.trim());
  if (!codes.some((code) => code.replace(/^\w+:/, "") === "ErrorServerBusy")) return null;
  const value = /<(?:[\w-]+:)?Value\s[^>]*?Name="BackOffMilliseconds"[^>]*>\s*(\d+)\s*</.exec(xml);
  return value ? Number(value[1]) : 0;
}

/** EWS in Exchange Online is being retired: the warning to show next to such a Connect URL, else null. */
export function exchangeOnlineEwsWarning(connectUrl: string | null | undefined): string | null {
  if (!connectUrl) return null;
  let host: string;
  try {
    host = new URL(connectUrl).hostname.toLowerCase();
  } catch {
    return null;
  }
  if (
    !/(^|\.)outlook\.office365\.com$|(^|\.)outlook\.office\.com$|(^|\.)outlook\.office365\.us$|partner\.outlook\.cn$/.test(
      host,
    )
  )
    return null;
  return "EWS in Exchange Online is being retired: Microsoft switches it off by default from October 2026 and removes it in April 2027. Use Microsoft Graph for this mailbox.";
}
