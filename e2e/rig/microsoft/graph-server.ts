// The Microsoft Graph mail API as the rig double (https://127.0.0.1:<port>/v1.0): message lists with $top,
// $skip, $select, $orderby and a small $filter, delta queries with skip/delta tokens, raw MIME ($value),
// isRead updates, move, delete and sendMail (JSON or base64 MIME), on the mailboxes the rig's Dovecot serves.
// Bearer tokens are checked by introspection (resource "graph"); errors use Graph's JSON error shape.
import { randomUUID } from "node:crypto";
import type http from "node:http";
import MailComposer from "nodemailer/lib/mail-composer";
import { checkMailboxAccess, readClaims, tokenPrefix, tokenUser, type Introspect } from "./access";
import { handleBatch } from "./graph-batch-server";
import { graphMessage } from "./graph-message";
import { bearerToken, isoSeconds, readBody, sendJson } from "./http-util";
import { folderId, messageId } from "./item-ids";
import type { Logger } from "./logger";
import { displayNameOf, type FolderInfo, type MessageMeta } from "./mail-store";
import type { LocatedMessage, MailboxDirectory } from "./mailbox-directory";
import { headerAddress, headerAddresses, type Outbox } from "./sent-mail";
import { decodeSyncState, encodeSyncState, nextChanges } from "./sync-state";

export type GraphOptions = {
  directory: MailboxDirectory;
  introspect: Introspect;
  outbox: Outbox;
  log: Logger;
  /** e.g. https://127.0.0.1:1234/v1.0 — used in @odata links */
  baseUrl: () => string;
  /** answers the next batch requests for a mailbox with 429 while this says so (see control.ts) */
  throttled?: (mailbox: string) => boolean;
};

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

type Request = { req: http.IncomingMessage; url: URL; token: string; mailbox: string; userSegment: string };

const MESSAGE_ROUTES: [string, RegExp, (r: Request, m: RegExpExecArray, o: GraphOptions) => Promise<Response>][] = [
  ["GET", /^mailFolders$/, listFolders],
  ["GET", /^mailFolders\/([^/]+)$/, getFolder],
  ["GET", /^mailFolders\/([^/]+)\/messages\/delta$/, delta],
  ["GET", /^mailFolders\/([^/]+)\/messages$/, listMessages],
  ["GET", /^messages$/, listMessages],
  ["GET", /^messages\/([^/]+)\/\$value$/, getMime],
  ["GET", /^messages\/([^/]+)$/, getMessage],
  ["PATCH", /^messages\/([^/]+)$/, patchMessage],
  ["DELETE", /^messages\/([^/]+)$/, deleteMessage],
  ["POST", /^messages\/([^/]+)\/permanentDelete$/, permanentDelete],
  ["POST", /^messages\/([^/]+)\/move$/, moveMessage],
  ["POST", /^sendMail$/, sendMail],
];

type Response = { status: number; body?: unknown; raw?: { contentType: string; data: Buffer } };

/** One Graph answer: JSON (an error in Graph's error shape included), raw bytes, or none. */
export type GraphAnswer = {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
  raw?: { contentType: string; data: Buffer };
};

export async function handleGraph(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  opts: GraphOptions,
): Promise<void> {
  const answer = /^\/v1\.0\/\$batch$/.test(new URL(req.url ?? "/", "https://graph.invalid").pathname)
    ? await handleBatch(req, opts)
    : await graphAnswer(req, opts);
  if (answer.raw) {
    res.writeHead(answer.status, {
      "content-type": answer.raw.contentType,
      "content-length": answer.raw.data.length,
      ...answer.headers,
    });
    res.end(answer.raw.data);
  } else if (answer.body === undefined) {
    res.writeHead(answer.status, answer.headers).end();
  } else {
    sendJson(res, answer.status, answer.body, answer.headers);
  }
}

/** The answer to one request (also one request of a JSON batch). */
export async function graphAnswer(req: http.IncomingMessage, opts: GraphOptions): Promise<GraphAnswer> {
  const url = new URL(req.url ?? "/", "https://graph.invalid");
  try {
    const match = /^\/v1\.0\/(?:users\/([^/]+)|(me))\/(.+)$/.exec(url.pathname);
    if (!match)
      throw new GraphError(
        400,
        "BadRequest",
        `Resource not found for the segment '${url.pathname.split("/")[2] ?? ""}'.`,
      );
    const token = bearerToken(req);
    if (!token) throw unauthenticated("Access token is empty.");
    const userSegment = match[1] ? decodeURIComponent(match[1]).replace(/^'(.*)'$/, "$1") : "me";
    // Messages may be addressed under their folder too: .../mailFolders/{f}/messages/{id}...
    const rest = match[3].replace(/^mailFolders\/[^/]+\/(messages\/(?!delta$)[^/]+(?:\/.*)?)$/, "$1");
    const route = MESSAGE_ROUTES.find(([method, pattern]) => method === req.method && pattern.test(rest));
    const mailbox = await authorize(token, userSegment, opts);
    if (!route)
      throw new GraphError(400, "BadRequest", `Resource not found for the segment '${rest.split("/").at(-1)}'.`);
    const response = await route[2]({ req, url, token, mailbox, userSegment }, route[1].exec(rest)!, opts);
    return { headers: {}, ...response };
  } catch (error) {
    if (!(error instanceof GraphError)) {
      opts.log(`graph: ${req.method} ${url.pathname} failed: ${(error as Error).stack ?? error}`);
    }
    return graphErrorAnswer(
      error instanceof GraphError
        ? error
        : new GraphError(500, "generalException", "General exception while processing."),
    );
  }
}

export function graphErrorAnswer(error: GraphError): GraphAnswer {
  const requestId = randomUUID();
  return {
    status: error.status,
    headers: error.headers,
    body: {
      error: {
        code: error.code,
        message: error.message,
        innerError: { date: isoSeconds(new Date()), "request-id": requestId, "client-request-id": requestId },
      },
    },
  };
}

function unauthenticated(message: string): GraphError {
  return new GraphError(401, "InvalidAuthenticationToken", message, {
    "www-authenticate":
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
  });
}

/** Which mailbox the request is for, after checking the token may open it (Graph's 401 / 404 / 403). */
async function authorize(token: string, userSegment: string, opts: GraphOptions): Promise<string> {
  const claims = readClaims(token);
  if (!claims) {
    throw unauthenticated(
      "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'.",
    );
  }
  let mailbox = userSegment.toLowerCase();
  if (userSegment === "me") {
    const user = tokenUser(claims);
    if (!user) throw new GraphError(400, "BadRequest", "/me request is only valid with delegated authentication flow.");
    mailbox = user;
  }
  const access = await checkMailboxAccess(opts.introspect, token, "graph", mailbox);
  if (!access.ok && access.reason === "invalid") {
    opts.log(`graph: token ${tokenPrefix(token)} refused`);
    const audience = [claims.aud].flat()[0];
    if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now())
      throw unauthenticated("Lifetime validation failed, the token is expired.");
    if (audience !== "https://graph.microsoft.com" && audience !== "00000003-0000-0000-c000-000000000000") {
      throw unauthenticated("Access token validation failure. Invalid audience.");
    }
    throw unauthenticated("Access token validation failure.");
  }
  if (!(await opts.directory.store.hasMailbox(mailbox))) {
    throw new GraphError(404, "ErrorInvalidUser", `The requested user '${userSegment}' is invalid.`);
  }
  if (!access.ok) throw new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
  return mailbox;
}

function userPath(r: Request): string {
  return r.userSegment === "me" ? "me" : `users/${encodeURIComponent(r.userSegment)}`;
}

/** A Graph link: OData option names keep their literal "$", as in Graph's own nextLink/deltaLink. */
function link(base: string, params: [string, string][]): string {
  return `${base}?${params.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join("&")}`;
}

function contextUrl(opts: GraphOptions, fragment: string): string {
  return `${opts.baseUrl()}/$metadata#${fragment}`;
}

function folderJson(mailbox: string, folder: FolderInfo) {
  return {
    id: folderId(mailbox, folder.guid, "base64url"),
    displayName: displayNameOf(folder.name),
    parentFolderId: folderId(mailbox, "00000000000000000000000000000000", "base64url"),
    childFolderCount: 0,
    unreadItemCount: folder.unread,
    totalItemCount: folder.total,
    sizeInBytes: 0,
    isHidden: false,
  };
}

async function folderOrThrow(r: Request, ref: string, opts: GraphOptions): Promise<FolderInfo> {
  const folder = await opts.directory.folder(r.mailbox, decodeURIComponent(ref));
  if (!folder) throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  return folder;
}

async function messageOrThrow(r: Request, id: string, opts: GraphOptions): Promise<LocatedMessage> {
  const located = await opts.directory.message(decodeURIComponent(id));
  if (located === "malformed") throw new GraphError(400, "ErrorInvalidIdMalformed", "Id is malformed.");
  if (!located || located.mailbox !== r.mailbox) {
    throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  }
  return located;
}

async function listFolders(r: Request, _m: RegExpExecArray, opts: GraphOptions): Promise<Response> {
  const folders = await opts.directory.store.listFolders(r.mailbox);
  return {
    status: 200,
    body: {
      "@odata.context": contextUrl(opts, `users('${encodeURIComponent(r.mailbox)}')/mailFolders`),
      value: folders.map((folder) => folderJson(r.mailbox, folder)),
    },
  };
}

async function getFolder(r: Request, m: RegExpExecArray, opts: GraphOptions): Promise<Response> {
  const folder = await folderOrThrow(r, m[1], opts);
  return {
    status: 200,
    body: {
      "@odata.context": contextUrl(opts, `users('${encodeURIComponent(r.mailbox)}')/mailFolders/$entity`),
      ...folderJson(r.mailbox, folder),
    },
  };
}

function selectOf(url: URL): string[] | null {
  const select = url.searchParams.get("$select");
  return select
    ? select
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : null;
}

type Filter = (meta: MessageMeta) => boolean;

/** The $filter forms a mail fetcher uses: isRead eq true|false, receivedDateTime ge|gt|le|lt <date>, joined by "and". */
function parseFilter(text: string | null): Filter {
  if (!text) return () => true;
  const tests = text.split(/\s+and\s+/i).map((clause): Filter => {
    const isRead = /^isRead\s+eq\s+(true|false)$/i.exec(clause.trim());
    if (isRead) return (meta) => meta.flags.includes("\\Seen") === (isRead[1].toLowerCase() === "true");
    const received = /^receivedDateTime\s+(ge|gt|le|lt)\s+(\S+)$/i.exec(clause.trim());
    if (received && !Number.isNaN(Date.parse(received[2]))) {
      const limit = Date.parse(received[2]);
      const op = received[1].toLowerCase();
      return (meta) => {
        const t = Math.floor(meta.receivedAt.getTime() / 1000) * 1000;
        return op === "ge" ? t >= limit : op === "gt" ? t > limit : op === "le" ? t <= limit : t < limit;
      };
    }
    throw new GraphError(400, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.");
  });
  return (meta) => tests.every((test) => test(meta));
}

function pageSize(r: Request, fallback: number): number {
  const top = r.url.searchParams.get("$top");
  const prefer = /odata\.maxpagesize=(\d+)/i.exec(String(r.req.headers.prefer ?? ""));
  const size = Number(top ?? prefer?.[1] ?? fallback);
  if (!Number.isInteger(size) || size < 1) throw new GraphError(400, "BadRequest", "Invalid $top value.");
  return Math.min(size, 1000);
}

async function listMessages(r: Request, m: RegExpExecArray, opts: GraphOptions): Promise<Response> {
  const store = opts.directory.store;
  const folders = m[1] ? [await folderOrThrow(r, m[1], opts)] : await store.listFolders(r.mailbox);
  const filter = parseFilter(r.url.searchParams.get("$filter"));
  const orderby = (r.url.searchParams.get("$orderby") ?? "receivedDateTime desc").trim();
  const order = /^receivedDateTime(\s+(asc|desc))?$/i.exec(orderby);
  if (!order)
    throw new GraphError(
      400,
      "BadRequest",
      `Could not find a property named '${orderby.split(/\s/)[0]}' on type 'microsoft.graph.message'.`,
    );
  const descending = (order[2] ?? "asc").toLowerCase() === "desc";

  const all: LocatedMessage[] = [];
  for (const folder of folders) {
    for (const meta of await store.listMessages(r.mailbox, folder.name)) {
      if (filter(meta)) all.push({ mailbox: r.mailbox, folder, meta });
    }
  }
  all.sort((a, b) => a.meta.receivedAt.getTime() - b.meta.receivedAt.getTime() || a.meta.uid - b.meta.uid);
  if (descending) all.reverse();

  const top = pageSize(r, 10);
  const skip = Number(r.url.searchParams.get("$skip") ?? 0);
  const page = all.slice(skip, skip + top);
  const select = selectOf(r.url);
  const value = [];
  for (const located of page) {
    const summary = await opts.directory.summary(located);
    if (summary) value.push(graphMessage(located, summary, select, r.url.searchParams.get("$expand")));
  }
  const path = m[1] ? `mailFolders('${decodeURIComponent(m[1])}')/messages` : "messages";
  const body: Record<string, unknown> = {
    "@odata.context": contextUrl(
      opts,
      `users('${encodeURIComponent(r.mailbox)}')/${path}${select ? `(${select.join(",")})` : ""}`,
    ),
    value,
  };
  if (skip + top < all.length) {
    const params = [...r.url.searchParams].filter(([key]) => key !== "$skip" && key !== "$top");
    params.push(["$top", String(top)], ["$skip", String(skip + top)]);
    body["@odata.nextLink"] = link(
      `${opts.baseUrl()}/${userPath(r)}/${m[1] ? `mailFolders/${m[1]}/messages` : "messages"}`,
      params,
    );
  }
  return { status: 200, body };
}

async function delta(r: Request, m: RegExpExecArray, opts: GraphOptions): Promise<Response> {
  const folder = await folderOrThrow(r, m[1], opts);
  const token = r.url.searchParams.get("$deltatoken") ?? r.url.searchParams.get("$skiptoken");
  const previous = token === null ? null : decodeSyncState(token);
  if (token !== null && !previous) {
    throw new GraphError(410, "SyncStateNotFound", "The sync state generation is not found. Please resync.");
  }
  // changeType=created|updated|deleted (documented for message delta): only changes of that kind are
  // reported, though the state moves past all of them. Given in the first request, it rides in the links.
  const changeType = r.url.searchParams.get("changeType");
  if (changeType !== null && !["created", "updated", "deleted"].includes(changeType)) {
    throw new GraphError(
      400,
      "ErrorInvalidParameter",
      `The value '${changeType}' of the parameter 'changeType' is invalid.`,
    );
  }
  // $filter on delta: only receivedDateTime ge|gt {date} (documented for message delta). Filtered-out mail
  // never enters the state, so later rounds (the filter rides in the links) do not report it either.
  const filterText = r.url.searchParams.get("$filter");
  if (filterText !== null && !/^receivedDateTime\s+(ge|gt)\s+\S+$/i.test(filterText.trim())) {
    throw new GraphError(400, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.");
  }
  const filter = parseFilter(filterText);
  const messages = (await opts.directory.store.listMessages(r.mailbox, folder.name)).filter(filter);
  const round = nextChanges(folder.guid, messages, previous, pageSize(r, 10));
  if (!round)
    throw new GraphError(410, "SyncStateInvalid", "The sync state is no longer valid for this folder. Please resync.");

  const select = selectOf(r.url);
  // $expand of extended properties (documented for message delta) rides in the links like $select.
  const expand = r.url.searchParams.get("$expand");
  const value: Record<string, unknown>[] = [];
  for (const change of round.changes) {
    if (changeType && change.kind !== changeType) continue;
    if (change.kind === "deleted") {
      value.push({
        "@odata.type": "#microsoft.graph.message",
        id: messageId(r.mailbox, folder.guid, change.uid, "base64url"),
        "@removed": { reason: "deleted" },
      });
      continue;
    }
    const located = { mailbox: r.mailbox, folder, meta: change.message };
    const summary = await opts.directory.summary(located);
    if (summary)
      value.push({ "@odata.type": "#microsoft.graph.message", ...graphMessage(located, summary, select, expand) });
  }
  const params: [string, string][] = select ? [["$select", select.join(",")]] : [];
  if (expand !== null) params.push(["$expand", expand]);
  if (changeType) params.push(["changeType", changeType]);
  if (filterText !== null) params.push(["$filter", filterText]);
  params.push([round.more ? "$skiptoken" : "$deltatoken", encodeSyncState(round.state)]);
  const next = link(`${opts.baseUrl()}/${userPath(r)}/mailFolders/${m[1]}/messages/delta`, params);
  return {
    status: 200,
    body: {
      "@odata.context": contextUrl(opts, "Collection(message)"),
      value,
      [round.more ? "@odata.nextLink" : "@odata.deltaLink"]: next,
    },
  };
}

async function getMessage(r: Request, m: RegExpExecArray, opts: GraphOptions): Promise<Response> {
  const located = await messageOrThrow(r, m[1], opts);
  const summary = await opts.directory.summary(located);
  if (!summary) throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  return {
    status: 200,
    body: {
      "@odata.context": contextUrl(opts, `users('${encodeURIComponent(r.mailbox)}')/messages/$entity`),
      ...graphMessage(located, summary, selectOf(r.url), r.url.searchParams.get("$expand")),
    },
  };
}

async function getMime(r: Request, m: RegExpExecArray, opts: GraphOptions): Promise<Response> {
  const located = await messageOrThrow(r, m[1], opts);
  const raw = await opts.directory.raw(located);
  if (!raw) throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  return { status: 200, raw: { contentType: "text/plain", data: raw } };
}

async function jsonBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(req);
  try {
    const parsed = JSON.parse(body.toString("utf8") || "{}") as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new GraphError(400, "RequestBodyRead", "Invalid JSON in the request body.");
}

/** The message at its (possibly new) place, as Graph answers PATCH and move. */
async function messageAt(mailbox: string, folder: FolderInfo, uid: number, opts: GraphOptions): Promise<Response> {
  const meta = (await opts.directory.store.listMessages(mailbox, folder.name)).find((entry) => entry.uid === uid);
  if (!meta) throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  const located = { mailbox, folder, meta };
  const summary = await opts.directory.summary(located);
  if (!summary) throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  return {
    status: 200,
    body: {
      "@odata.context": contextUrl(opts, `users('${encodeURIComponent(mailbox)}')/messages/$entity`),
      ...graphMessage(located, summary, null),
    },
  };
}

async function patchMessage(r: Request, m: RegExpExecArray, opts: GraphOptions): Promise<Response> {
  const located = await messageOrThrow(r, m[1], opts);
  const body = await jsonBody(r.req);
  const store = opts.directory.store;
  const { mailbox, folder, meta } = located;
  if (typeof body.isRead === "boolean") {
    if (body.isRead) await store.addFlags(mailbox, folder.name, [meta.uid], ["\\Seen"]);
    else await store.removeFlags(mailbox, folder.name, [meta.uid], ["\\Seen"]);
  }
  const flagStatus = (body.flag as { flagStatus?: string } | undefined)?.flagStatus;
  if (flagStatus === "flagged") await store.addFlags(mailbox, folder.name, [meta.uid], ["\\Flagged"]);
  if (flagStatus === "notFlagged" || flagStatus === "complete")
    await store.removeFlags(mailbox, folder.name, [meta.uid], ["\\Flagged"]);
  return messageAt(mailbox, folder, meta.uid, opts);
}

async function deleteMessage(r: Request, m: RegExpExecArray, opts: GraphOptions): Promise<Response> {
  const located = await messageOrThrow(r, m[1], opts);
  const trash = await opts.directory.folder(r.mailbox, "deleteditems");
  // Graph's DELETE moves the message to Deleted Items; deleting it there removes it.
  if (trash && trash.guid !== located.folder.guid) {
    await opts.directory.store.move(r.mailbox, located.folder.name, located.meta.uid, trash.name);
  } else {
    await opts.directory.store.expunge(r.mailbox, located.folder.name, [located.meta.uid]);
  }
  return { status: 204 };
}

async function permanentDelete(r: Request, m: RegExpExecArray, opts: GraphOptions): Promise<Response> {
  const located = await messageOrThrow(r, m[1], opts);
  await opts.directory.store.expunge(r.mailbox, located.folder.name, [located.meta.uid]);
  return { status: 204 };
}

async function moveMessage(r: Request, m: RegExpExecArray, opts: GraphOptions): Promise<Response> {
  const located = await messageOrThrow(r, m[1], opts);
  const body = await jsonBody(r.req);
  if (typeof body.destinationId !== "string")
    throw new GraphError(400, "ErrorInvalidParameter", "destinationId is required.");
  const target = await opts.directory.folder(r.mailbox, body.destinationId);
  if (!target) throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  const uid = await opts.directory.store.move(r.mailbox, located.folder.name, located.meta.uid, target.name);
  if (uid === null) throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  const moved = await messageAt(r.mailbox, target, uid, opts);
  return { ...moved, status: 201 };
}

type GraphRecipient = { emailAddress?: { address?: string; name?: string } };

async function sendMail(r: Request, _m: RegExpExecArray, opts: GraphOptions): Promise<Response> {
  const contentType = String(r.req.headers["content-type"] ?? "").toLowerCase();
  let raw: Buffer;
  let recipients: string[];
  let saveToSentItems = true;
  if (contentType.startsWith("text/plain")) {
    // The MIME variant: the whole message, base64-encoded, as the body.
    raw = Buffer.from((await readBody(r.req)).toString("latin1").replace(/\s+/g, ""), "base64");
    if (raw.length === 0 || !/\r?\n\r?\n/.test(raw.toString("latin1"))) {
      throw new GraphError(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.");
    }
    recipients = ["to", "cc", "bcc"].flatMap((header) => headerAddresses(raw, header));
  } else {
    const body = await jsonBody(r.req);
    const message = body.message as Record<string, unknown> | undefined;
    if (!message || typeof message !== "object")
      throw new GraphError(400, "ErrorInvalidParameter", "The message parameter is required.");
    saveToSentItems = body.saveToSentItems !== false && body.SaveToSentItems !== false;
    const list = (key: string) =>
      ((message[key] as GraphRecipient[] | undefined) ?? [])
        .map((entry) => ({ address: entry.emailAddress?.address ?? "", name: entry.emailAddress?.name ?? "" }))
        .filter((entry) => entry.address.includes("@"));
    const to = list("toRecipients");
    const cc = list("ccRecipients");
    const bcc = list("bccRecipients");
    recipients = [...to, ...cc, ...bcc].map((entry) => entry.address.toLowerCase());
    const from = (message.from as GraphRecipient | undefined)?.emailAddress?.address ?? r.mailbox;
    const bodyPart = (message.body as { contentType?: string; content?: string } | undefined) ?? {};
    const isHtml = (bodyPart.contentType ?? "text").toLowerCase() === "html";
    const headers = ((message.internetMessageHeaders as { name: string; value: string }[] | undefined) ?? []).map(
      ({ name, value }) => ({ key: name, value }),
    );
    const attachments = ((message.attachments as Record<string, string>[] | undefined) ?? []).map((attachment) => ({
      filename: attachment.name,
      contentType: attachment.contentType,
      content: Buffer.from(attachment.contentBytes ?? "", "base64"),
    }));
    raw = await new MailComposer({
      from,
      to,
      cc,
      bcc,
      replyTo: list("replyTo"),
      subject: typeof message.subject === "string" ? message.subject : "",
      [isHtml ? "html" : "text"]: bodyPart.content ?? "",
      headers,
      attachments,
    })
      .compile()
      .build();
  }
  if (recipients.length === 0) {
    throw new GraphError(
      400,
      "ErrorInvalidRecipients",
      "At least one recipient isn't valid., A message can't be sent because it contains no recipients.",
    );
  }
  const sender = headerAddress(raw, "from") ?? r.mailbox;
  if (sender !== r.mailbox) {
    const access = await checkMailboxAccess(opts.introspect, r.token, "graph", sender);
    if (!access.ok) {
      throw new GraphError(
        403,
        "ErrorSendAsDenied",
        "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.",
      );
    }
  }
  await opts.outbox({ from: sender, to: [...new Set(recipients)] }, raw);
  if (saveToSentItems) {
    const sent = await opts.directory.folder(r.mailbox, "sentitems");
    if (sent) await opts.directory.store.append(r.mailbox, sent.name, raw, ["\\Seen"]);
  }
  opts.log(`graph: ${r.mailbox} sent a message as ${sender} to ${recipients.length} recipient(s)`);
  return { status: 202 };
}
