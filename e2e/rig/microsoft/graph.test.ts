// Microsoft Graph double: token refusals in Graph's error shape, message lists with paging, raw MIME, delta
// queries that return only new mail on the next round (and @removed for deleted mail), isRead, move, delete
// and sendMail.
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

async function emptyMailbox(mailbox: string) {
  for (const folder of await t.store.listFolders(mailbox)) {
    const uids = (await t.store.listMessages(mailbox, folder.name)).map((m) => m.uid);
    await t.store.expunge(mailbox, folder.name, uids);
  }
}

const graphToken = (user: string | null) => t.auth.issue({ user, aud: "https://graph.microsoft.com" });

async function graph(
  path: string,
  token: string | null,
  init: { method?: string; body?: unknown; contentType?: string } = {},
) {
  const url = path.startsWith("https://") ? path : `${t.doubles.graph.baseUrl}${path}`;
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    headers["content-type"] = init.contentType ?? "application/json";
  }
  const res = await httpsRequest(url, { ca: t.ca, method: init.method, headers, body });
  const json = res.headers["content-type"]?.toString().startsWith("application/json")
    ? (JSON.parse(res.text) as Record<string, any>)
    : null;
  return { ...res, json };
}

describe("Graph double: tokens", () => {
  it("answers 401 InvalidAuthenticationToken for a missing token", async () => {
    const res = await graph(`/users/${ALICE}/mailFolders/inbox/messages`, null);
    expect(res.status).toBe(401);
    expect(res.json?.error).toMatchObject({ code: "InvalidAuthenticationToken", message: "Access token is empty." });
  });

  it("answers 401 for a bad token and for a token of another audience", async () => {
    const bad = await graph(`/users/${ALICE}/mailFolders/inbox/messages`, "garbage");
    expect(bad.status).toBe(401);
    expect(bad.json?.error.code).toBe("InvalidAuthenticationToken");
    const outlook = t.auth.issue({ user: ALICE, aud: "https://outlook.office.com" });
    const wrongAudience = await graph(`/users/${ALICE}/mailFolders/inbox/messages`, outlook);
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.json?.error.message).toBe("Access token validation failure. Invalid audience.");
  });

  it("answers 403 ErrorAccessDenied for a mailbox the user may not open and 404 for an unknown one", async () => {
    const denied = await graph(`/users/${SHARED}/mailFolders/inbox/messages`, graphToken(BOB));
    expect(denied.status).toBe(403);
    expect(denied.json?.error).toMatchObject({
      code: "ErrorAccessDenied",
      message: "Access is denied. Check credentials and try again.",
    });
    const unknown = await graph(`/users/nobody@rig.test/mailFolders/inbox/messages`, graphToken(null));
    expect(unknown.status).toBe(404);
    expect(unknown.json?.error.code).toBe("ErrorInvalidUser");
    const delegate = await graph(`/users/${SHARED}/mailFolders/inbox/messages`, graphToken(ALICE));
    expect(delegate.status).toBe(200);
  });

  it("serves /me for a delegated token and refuses it for an app-only token", async () => {
    expect((await graph("/me/mailFolders/inbox/messages", graphToken(ALICE))).status).toBe(200);
    const appOnly = await graph("/me/mailFolders/inbox/messages", graphToken(null));
    expect(appOnly.status).toBe(400);
    expect(appOnly.json?.error.message).toBe("/me request is only valid with delegated authentication flow.");
  });
});

describe("Graph double: messages", () => {
  beforeEach(async () => {
    await emptyMailbox(ALICE);
  });

  it("lists messages oldest first with paging, $select and raw MIME", async () => {
    t.store.deliver(ALICE, sampleMessage("one"), "INBOX", new Date("2024-01-01T10:00:00Z"));
    t.store.deliver(ALICE, sampleMessage("two"), "INBOX", new Date("2024-01-01T11:00:00Z"));
    t.store.deliver(ALICE, sampleMessage("three"), "INBOX", new Date("2024-01-01T12:00:00Z"));
    const token = graphToken(ALICE);
    const first = await graph(
      `/users/${ALICE}/mailFolders/inbox/messages?$top=2&$orderby=receivedDateTime&$select=subject,from,receivedDateTime,isRead,internetMessageId,hasAttachments`,
      token,
    );
    expect(first.status).toBe(200);
    expect(first.json?.["@odata.context"]).toContain("/$metadata#users(");
    expect(first.json?.value.map((m: { subject: string }) => m.subject)).toEqual(["one", "two"]);
    expect(first.json?.value[0]).toMatchObject({
      receivedDateTime: "2024-01-01T10:00:00Z",
      from: { emailAddress: { address: "customer@example.org", name: "Sender" } },
      isRead: false,
      hasAttachments: false,
    });
    expect(first.json?.value[0].body).toBeUndefined();
    const second = await graph(first.json?.["@odata.nextLink"], token);
    expect(second.json?.value.map((m: { subject: string }) => m.subject)).toEqual(["three"]);
    expect(second.json?.["@odata.nextLink"]).toBeUndefined();

    const newest = await graph(`/users/${ALICE}/mailFolders/inbox/messages?$top=1`, token);
    expect(newest.json?.value[0].subject).toBe("three");
    expect(newest.json?.value[0].body).toEqual({ contentType: "text", content: "Body of three\n" });

    const id = first.json?.value[0].id as string;
    const mime = await graph(`/users/${ALICE}/messages/${id}/$value`, token);
    expect(mime.status).toBe(200);
    expect(mime.text).toContain("Subject: one\r\n");
    expect(mime.text).toContain("Body of one");
  });

  it("delta returns everything first, then only new mail, then @removed for deleted mail", async () => {
    t.store.deliver(ALICE, sampleMessage("old 1"));
    t.store.deliver(ALICE, sampleMessage("old 2"));
    const token = graphToken(ALICE);
    const first = await graph(`/users/${ALICE}/mailFolders/inbox/messages/delta?$select=subject`, token);
    expect(first.status).toBe(200);
    expect(first.json?.value.map((m: { subject: string }) => m.subject)).toEqual(["old 1", "old 2"]);
    const deltaLink = first.json?.["@odata.deltaLink"] as string;
    expect(deltaLink).toMatch(/\$deltatoken=/);

    const unchanged = await graph(deltaLink, token);
    expect(unchanged.json?.value).toEqual([]);

    t.store.deliver(ALICE, sampleMessage("new"));
    const second = await graph(deltaLink, token);
    expect(second.json?.value.map((m: { subject: string }) => m.subject)).toEqual(["new"]);

    const [oldOne] = first.json?.value as { id: string }[];
    const deleted = await graph(`/users/${ALICE}/messages/${oldOne.id}/permanentDelete`, token, {
      method: "POST",
      body: {},
    });
    expect(deleted.status).toBe(204);
    const third = await graph(second.json?.["@odata.deltaLink"], token);
    expect(third.json?.value).toEqual([
      { "@odata.type": "#microsoft.graph.message", id: oldOne.id, "@removed": { reason: "deleted" } },
    ]);
  });

  it("$batch answers each request on its own, in any order, with non-JSON bodies base64-encoded", async () => {
    t.store.deliver(ALICE, sampleMessage("batch one"));
    t.store.deliver(ALICE, sampleMessage("batch two"));
    const token = graphToken(ALICE);
    const list = await graph(`/users/${ALICE}/mailFolders/inbox/messages?$orderby=receivedDateTime&$select=id`, token);
    const ids = (list.json?.value as { id: string }[]).map((m) => m.id);
    const requests = [
      ...ids.map((id, i) => ({ id: String(i + 1), method: "GET", url: `/users/${ALICE}/messages/${id}/$value` })),
      { id: "3", method: "GET", url: `/users/${ALICE}/messages/AAMkAGI2TG93AAA=/$value` },
    ];
    const res = await graph("/$batch", token, { method: "POST", body: { requests } });
    expect(res.status).toBe(200);
    const responses = res.json?.responses as { id: string; status: number; body: unknown }[];
    expect(responses.map((r) => r.id)).toEqual(["3", "2", "1"]);
    const byId = new Map(responses.map((r) => [r.id, r]));
    expect(Buffer.from(byId.get("1")!.body as string, "base64").toString()).toContain("Subject: batch one\r\n");
    expect(Buffer.from(byId.get("2")!.body as string, "base64").toString()).toContain("Subject: batch two\r\n");
    expect(byId.get("3")).toMatchObject({ status: 400, body: { error: { code: "ErrorInvalidIdMalformed" } } });

    const tooMany = Array.from({ length: 21 }, (_, i) => ({
      id: String(i),
      method: "GET",
      url: `/users/${ALICE}/messages`,
    }));
    expect((await graph("/$batch", token, { method: "POST", body: { requests: tooMany } })).status).toBe(400);
  });

  it("delta with $filter=receivedDateTime ge lists only mail since then, now and in later rounds", async () => {
    t.store.deliver(ALICE, sampleMessage("before"), "INBOX", new Date("2024-01-01T10:00:00Z"));
    t.store.deliver(ALICE, sampleMessage("since"), "INBOX", new Date("2024-03-01T10:00:00Z"));
    const token = graphToken(ALICE);
    const first = await graph(
      `/users/${ALICE}/mailFolders/inbox/messages/delta?$select=subject&$filter=receivedDateTime ge 2024-02-01T00:00:00Z`.replace(
        / /g,
        "%20",
      ),
      token,
    );
    expect(first.json?.value.map((m: { subject: string }) => m.subject)).toEqual(["since"]);
    t.store.deliver(ALICE, sampleMessage("old arrival"), "INBOX", new Date("2023-05-01T10:00:00Z"));
    t.store.deliver(ALICE, sampleMessage("new arrival"));
    const second = await graph(first.json?.["@odata.deltaLink"], token);
    expect(second.json?.value.map((m: { subject: string }) => m.subject)).toEqual(["new arrival"]);
    const unsupported = await graph(
      `/users/${ALICE}/mailFolders/inbox/messages/delta?$filter=isRead%20eq%20false`,
      token,
    );
    expect(unsupported.status).toBe(400);
  });

  it("delta reports a message whose read flag changed like a new one, except with changeType=created", async () => {
    t.store.deliver(ALICE, sampleMessage("flagged later"));
    const token = graphToken(ALICE);
    const all = await graph(`/users/${ALICE}/mailFolders/inbox/messages/delta?$select=subject`, token);
    const created = await graph(
      `/users/${ALICE}/mailFolders/inbox/messages/delta?changeType=created&$select=subject`,
      token,
    );
    expect(created.json?.value.map((m: { subject: string }) => m.subject)).toEqual(["flagged later"]);
    expect(created.json?.["@odata.deltaLink"]).toMatch(/changeType=created/);
    const id = all.json?.value[0].id as string;
    expect(
      (await graph(`/users/${ALICE}/messages/${id}`, token, { method: "PATCH", body: { isRead: true } })).status,
    ).toBe(200);

    const updates = await graph(all.json?.["@odata.deltaLink"], token);
    expect(updates.json?.value).toEqual([expect.objectContaining({ id, subject: "flagged later" })]);
    const onlyCreated = await graph(created.json?.["@odata.deltaLink"], token);
    expect(onlyCreated.json?.value).toEqual([]);
    t.store.deliver(ALICE, sampleMessage("really new"));
    const next = await graph(onlyCreated.json?.["@odata.deltaLink"], token);
    expect(next.json?.value.map((m: { subject: string }) => m.subject)).toEqual(["really new"]);

    const bad = await graph(`/users/${ALICE}/mailFolders/inbox/messages/delta?changeType=sometimes`, token);
    expect(bad.status).toBe(400);
  });

  it("delta pages with a skip token when more changes than the page size are pending", async () => {
    for (const n of [1, 2, 3]) t.store.deliver(ALICE, sampleMessage(`page ${n}`));
    const token = graphToken(ALICE);
    const page1 = await graph(`/users/${ALICE}/mailFolders/inbox/messages/delta?$select=subject&$top=2`, token);
    expect(page1.json?.value).toHaveLength(2);
    expect(page1.json?.["@odata.nextLink"]).toMatch(/\$skiptoken=/);
    const page2 = await graph(page1.json?.["@odata.nextLink"], token);
    expect(page2.json?.value.map((m: { subject: string }) => m.subject)).toEqual(["page 3"]);
    expect(page2.json?.["@odata.deltaLink"]).toMatch(/\$deltatoken=/);
  });

  it("marks as read, moves and deletes", async () => {
    t.store.deliver(ALICE, sampleMessage("handle me"));
    const token = graphToken(ALICE);
    const list = await graph(`/users/${ALICE}/mailFolders/inbox/messages`, token);
    const id = list.json?.value[0].id as string;
    const patched = await graph(`/users/${ALICE}/messages/${id}`, token, { method: "PATCH", body: { isRead: true } });
    expect(patched.json?.isRead).toBe(true);
    const moved = await graph(`/users/${ALICE}/messages/${id}/move`, token, {
      method: "POST",
      body: { destinationId: "archive" },
    });
    expect(moved.status).toBe(201);
    expect(moved.json?.id).not.toBe(id);
    expect(await t.store.listMessages(ALICE, "Archive")).toHaveLength(1);
    const gone = await graph(`/users/${ALICE}/messages/${id}`, token);
    expect(gone.status).toBe(404);
    const deleted = await graph(`/users/${ALICE}/messages/${moved.json?.id}`, token, { method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect(await t.store.listMessages(ALICE, "Trash")).toHaveLength(1);
  });

  it("sends JSON and MIME messages, refusing to send as a mailbox without the right", async () => {
    const token = graphToken(ALICE);
    const json = await graph(`/users/${ALICE}/sendMail`, token, {
      method: "POST",
      body: {
        message: {
          subject: "graph json",
          body: { contentType: "Text", content: "hello" },
          toRecipients: [{ emailAddress: { address: "customer@example.org" } }],
        },
        saveToSentItems: true,
      },
    });
    expect(json.status).toBe(202);
    const mime = Buffer.from(`From: ${ALICE}\r\nTo: other@example.org\r\nSubject: graph mime\r\n\r\nhi\r\n`).toString(
      "base64",
    );
    const sentMime = await graph(`/users/${ALICE}/sendMail`, token, {
      method: "POST",
      body: mime,
      contentType: "text/plain",
    });
    expect(sentMime.status).toBe(202);
    const sent = await sentMail(t.sinkDir);
    const subjects = sent.map((m) => /Subject: (.*)/.exec(m.raw)?.[1]);
    expect(subjects).toEqual(expect.arrayContaining(["graph json", "graph mime"]));
    expect(sent.find((m) => m.raw.includes("graph mime"))?.envelope.to).toEqual(["other@example.org"]);
    expect(await t.store.listMessages(ALICE, "Sent")).toHaveLength(2);

    const asShared = await graph(`/users/${BOB}/sendMail`, graphToken(BOB), {
      method: "POST",
      body: {
        message: {
          subject: "x",
          from: { emailAddress: { address: SHARED } },
          toRecipients: [{ emailAddress: { address: "a@example.org" } }],
        },
      },
    });
    expect(asShared.status).toBe(403);
    expect(asShared.json?.error.code).toBe("ErrorSendAsDenied");
  });
});
