"use server";
import { defineAction } from "@/lib/actions";
import { deleteMailbox, runSampleFetch, saveMailbox, verifyMailbox } from "@/lib/mail/incoming";
import { mailboxFormSchema, mailboxIdSchema } from "@/lib/mail/incoming/client";
import { fetchNow, importExistingMail, importSinceSchema } from "@/lib/fetcher";

export const saveMailboxAction = defineAction(
  { schema: mailboxFormSchema, role: "admin", name: "incoming.save" },
  (input, { user }) => saveMailbox(input, user.id),
);

/** Connects and authenticates for real; only its success is reported as "Connected". */
export const verifyMailboxAction = defineAction(
  { schema: mailboxIdSchema, role: "admin", name: "incoming.verify" },
  ({ id }, { user }) => verifyMailbox(id, user.id),
);

export const sampleFetchAction = defineAction(
  { schema: mailboxFormSchema, role: "admin", name: "incoming.sample" },
  (input, { user }) => runSampleFetch(input, user.id),
);

export const deleteMailboxAction = defineAction(
  { schema: mailboxIdSchema, role: "admin", name: "incoming.delete" },
  ({ id }) => deleteMailbox(id),
);

export const fetchNowAction = defineAction(
  { schema: mailboxIdSchema, role: "admin", name: "incoming.fetchNow" },
  ({ id }, { user }) => fetchNow(id, user.id),
);

export const importSinceAction = defineAction(
  { schema: importSinceSchema, role: "admin", name: "incoming.importSince" },
  ({ id, since }) => importExistingMail(id, since),
);
