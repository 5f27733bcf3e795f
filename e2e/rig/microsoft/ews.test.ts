// EWS double: 401 with x-ms-diagnostics for missing and wrong tokens, impersonation rules for app-only and
// delegated tokens, FindItem / GetItem with MIME content, SyncFolderItems returning only new mail on the
// next call, UpdateItem IsRead, DeleteItem and CreateItem SendAndSaveCopy.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ALICE,
  BOB,
  SHARED,
  httpsRequest,
  sampleMessage,
  sentMail,
  startTestDoubles,
  type TestDoubles,
} from "./test-support";

let t: TestDoubles;
beforeAll(async () => {
  t = await startTestDoubles();
});
afterAll(async () => {
  await t?.stop();
});

const ewsToken = (user: string | null) => t.auth.issue({ user, aud: "https://outlook.office.com" });

function envelope(body: string, impersonate?: string): string {
  const header = impersonate
    ? `<t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>${impersonate}</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>`
    : "";
  return `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">
  <soap:Header><t:RequestServerVersion Version="Exchange2013_SP1"/>${header}</soap:Header>
  <soap:Body>${body}</soap:Body>
</soap:Envelope>`;
}

async function ews(body: string, token: string | null, opts: { impersonate?: string; anchor?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "text/xml; charset=utf-8" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.anchor) headers["x-anchormailbox"] = opts.anchor;
  return httpsRequest(t.doubles.ews.url, { ca: t.ca, method: "POST", headers, body: envelope(body, opts.impersonate) });
}

const findInbox = (mailbox?: string, shape = "IdOnly") => `
  <m:FindItem Traversal="Shallow">
    <m:ItemShape><t:BaseShape>${shape}</t:BaseShape><t:AdditionalProperties><t:FieldURI FieldURI="item:Subject"/><t:FieldURI FieldURI="item:DateTimeReceived"/></t:AdditionalProperties></m:ItemShape>
    <m:IndexedPageItemView MaxEntriesReturned="10" Offset="0" BasePoint="Beginning"/>
    <m:SortOrder><t:FieldOrder Order="Ascending"><t:FieldURI FieldURI="item:DateTimeReceived"/></t:FieldOrder></m:SortOrder>
    <m:ParentFolderIds><t:DistinguishedFolderId Id="inbox">${mailbox ? `<t:Mailbox><t:EmailAddress>${mailbox}</t:EmailAddress></t:Mailbox>` : ""}</t:DistinguishedFolderId></m:ParentFolderIds>
  </m:FindItem>`;

const all = (xml: string, pattern: RegExp) => [...xml.matchAll(new RegExp(pattern, "g"))].map((m) => m[1]);

async function emptyMailbox(mailbox: string) {
  for (const folder of await t.store.listFolders(mailbox)) {
    await t.store.expunge(
      mailbox,
      folder.name,
      (await t.store.listMessages(mailbox, folder.name)).map((m) => m.uid),
    );
  }
}

describe("EWS double: tokens and identities", () => {
  it("answers 401 without a token and 401 with x-ms-diagnostics for a token of another audience", async () => {
    const missing = await ews(findInbox(), null);
    expect(missing.status).toBe(401);
    expect(missing.headers["www-authenticate"]).toMatch(/^Bearer /);
    const graphToken = t.auth.issue({ user: ALICE, aud: "https://graph.microsoft.com" });
    const wrong = await ews(findInbox(), graphToken);
    expect(wrong.status).toBe(401);
    expect(wrong.headers["x-ms-diagnostics"]).toMatch(
      /^2000003;reason="The audience claim value is invalid for current resource\. Audience claim is 'https:\/\/graph\.microsoft\.com'/,
    );
    const forged = await ews(findInbox(), "a.b.c");
    expect(forged.status).toBe(401);
  });

  it("requires ExchangeImpersonation for app-only tokens", async () => {
    const app = ewsToken(null);
    const without = await ews(findInbox(), app);
    expect(without.status).toBe(500);
    expect(without.text).toContain("a:ErrorInvalidExchangeImpersonationHeaderData");
    const withIt = await ews(findInbox(), app, { impersonate: SHARED, anchor: SHARED });
    expect(withIt.status).toBe(200);
    expect(withIt.text).toContain(
      '<m:FindItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>',
    );
    const unknown = await ews(findInbox(), app, { impersonate: "nobody@rig.test" });
    expect(unknown.text).toContain("ErrorNonExistentMailbox");
  });

  it("refuses impersonation by a delegated token and lets a delegate open the shared mailbox", async () => {
    const bob = await ews(findInbox(), ewsToken(BOB), { impersonate: SHARED });
    expect(bob.status).toBe(500);
    expect(bob.text).toContain("a:ErrorImpersonateUserDenied");
    const bobShared = await ews(findInbox(SHARED), ewsToken(BOB));
    expect(bobShared.text).toContain('ResponseClass="Error"');
    expect(bobShared.text).toContain("<m:ResponseCode>ErrorAccessDenied</m:ResponseCode>");
    const aliceShared = await ews(findInbox(SHARED), ewsToken(ALICE));
    expect(aliceShared.text).toContain("<m:ResponseCode>NoError</m:ResponseCode>");
  });
});

describe("EWS double: items", () => {
  beforeEach(async () => {
    await emptyMailbox(ALICE);
  });

  it("finds items oldest first and returns their MIME content", async () => {
    t.store.deliver(ALICE, sampleMessage("first"), "INBOX", new Date("2024-02-01T08:00:00Z"));
    t.store.deliver(
      ALICE,
      sampleMessage("second", { body: "ünïcode body" }),
      "INBOX",
      new Date("2024-02-01T09:00:00Z"),
    );
    const token = ewsToken(ALICE);
    const found = await ews(findInbox(), token);
    expect(found.status).toBe(200);
    expect(found.text).toContain('TotalItemsInView="2" IncludesLastItemInRange="true"');
    expect(all(found.text, /<t:Subject>([^<]*)<\/t:Subject>/)).toEqual(["first", "second"]);
    const ids = all(found.text, /<t:ItemId Id="([^"]+)"/);
    expect(ids).toHaveLength(2);

    const got = await ews(
      `<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape><t:IncludeMimeContent>true</t:IncludeMimeContent></m:ItemShape><m:ItemIds><t:ItemId Id="${ids[1]}"/></m:ItemIds></m:GetItem>`,
      token,
    );
    const mime = /<t:MimeContent CharacterSet="UTF-8">([^<]+)<\/t:MimeContent>/.exec(got.text)?.[1];
    expect(Buffer.from(mime ?? "", "base64").toString("utf8")).toContain("Subject: second\r\n");
    expect(Buffer.from(mime ?? "", "base64").toString("utf8")).toContain("ünïcode body");

    const missing = await ews(
      `<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="bm9wZQ=="/></m:ItemIds></m:GetItem>`,
      token,
    );
    expect(missing.text).toContain("<m:ResponseCode>ErrorInvalidIdMalformed</m:ResponseCode>");
  });

  it("SyncFolderItems returns only new mail on the next call", async () => {
    t.store.deliver(ALICE, sampleMessage("before"));
    const token = ewsToken(ALICE);
    const sync = (state: string) =>
      ews(
        `<m:SyncFolderItems><m:ItemShape><t:BaseShape>Default</t:BaseShape></m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id="inbox"/></m:SyncFolderId>${state ? `<m:SyncState>${state}</m:SyncState>` : ""}<m:MaxChangesReturned>100</m:MaxChangesReturned></m:SyncFolderItems>`,
        token,
      );
    const first = await sync("");
    expect(all(first.text, /<t:Create><t:Message>.*?<t:Subject>([^<]*)<\/t:Subject>/)).toEqual(["before"]);
    expect(first.text).toContain("<m:IncludesLastItemInRange>true</m:IncludesLastItemInRange>");
    const state1 = /<m:SyncState>([^<]+)<\/m:SyncState>/.exec(first.text)![1];

    t.store.deliver(ALICE, sampleMessage("after"));
    const second = await sync(state1);
    expect(all(second.text, /<t:Subject>([^<]*)<\/t:Subject>/)).toEqual(["after"]);
    const state2 = /<m:SyncState>([^<]+)<\/m:SyncState>/.exec(second.text)![1];

    const [before] = await t.store.listMessages(ALICE, "INBOX");
    await t.store.addFlags(ALICE, "INBOX", [before.uid], ["\\Seen"]);
    const third = await sync(state2);
    expect(third.text).toMatch(/<t:ReadFlagChange><t:ItemId [^>]+\/><t:IsRead>true<\/t:IsRead><\/t:ReadFlagChange>/);
    expect(third.text).not.toContain("<t:Create>");

    const bad = await sync("bm90IGEgc3RhdGU=");
    expect(bad.text).toContain("<m:ResponseCode>ErrorInvalidSyncStateData</m:ResponseCode>");
  });

  it("marks as read and deletes items", async () => {
    t.store.deliver(ALICE, sampleMessage("to update"));
    const token = ewsToken(ALICE);
    const id = all((await ews(findInbox(), token)).text, /<t:ItemId Id="([^"]+)"/)[0];
    const updated = await ews(
      `<m:UpdateItem MessageDisposition="SaveOnly" ConflictResolution="AutoResolve"><m:ItemChanges><t:ItemChange><t:ItemId Id="${id}"/><t:Updates><t:SetItemField><t:FieldURI FieldURI="message:IsRead"/><t:Message><t:IsRead>true</t:IsRead></t:Message></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>`,
      token,
    );
    expect(updated.text).toContain('<m:UpdateItemResponseMessage ResponseClass="Success">');
    expect((await t.store.listMessages(ALICE, "INBOX"))[0].flags).toContain("\\Seen");
    const deleted = await ews(
      `<m:DeleteItem DeleteType="MoveToDeletedItems"><m:ItemIds><t:ItemId Id="${id}"/></m:ItemIds></m:DeleteItem>`,
      token,
    );
    expect(deleted.text).toContain('<m:DeleteItemResponseMessage ResponseClass="Success">');
    expect(await t.store.listMessages(ALICE, "INBOX")).toHaveLength(0);
    expect(await t.store.listMessages(ALICE, "Trash")).toHaveLength(1);
  });

  it("sends MIME with SendAndSaveCopy and refuses to send as a mailbox without the right", async () => {
    const mime = Buffer.from(
      `From: ${ALICE}\r\nTo: customer@example.org\r\nSubject: ews mime\r\n\r\nhello\r\n`,
    ).toString("base64");
    const create = (from: string) =>
      `<m:CreateItem MessageDisposition="SendAndSaveCopy"><m:SavedItemFolderId><t:DistinguishedFolderId Id="sentitems"/></m:SavedItemFolderId><m:Items><t:Message><t:MimeContent CharacterSet="UTF-8">${Buffer.from(Buffer.from(mime, "base64").toString().replace(ALICE, from)).toString("base64")}</t:MimeContent></t:Message></m:Items></m:CreateItem>`;
    const sent = await ews(create(ALICE), ewsToken(ALICE));
    expect(sent.text).toContain(
      '<m:CreateItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items/>',
    );
    const sink = await sentMail(t.sinkDir);
    expect(sink.at(-1)?.envelope).toMatchObject({ from: ALICE, to: ["customer@example.org"] });
    expect(await t.store.listMessages(ALICE, "Sent")).toHaveLength(1);

    const denied = await ews(create(SHARED), ewsToken(BOB));
    expect(denied.text).toContain("<m:ResponseCode>ErrorSendAsDenied</m:ResponseCode>");
  });
});
