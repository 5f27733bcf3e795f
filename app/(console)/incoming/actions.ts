"use server";
import { defineAction } from "@/lib/actions";
import { deleteMailbox, runSampleFetch, saveMailbox, verifyMailbox } from "@/lib/mail/incoming";
import { mailboxFormSchema, mailboxIdSchema } from "@/lib/mail/incoming/mailbox-form-schema";

export const saveMailboxAction = defineAction({ schema: mailboxFormSchema, role: "admin", name: "incoming.save" }, (input, { user }) =>
  saveMailbox(input, user.id),
);

/** Connects and authenticates for real; only its success is reported as "Connected". */
export const verifyMailboxAction = defineAction({ schema: mailboxIdSchema, role: "admin", name: "incoming.verify" }, ({ id }, { user }) =>
  verifyMailbox(id, user.id),
);

export const sampleFetchAction = defineAction({ schema: mailboxFormSchema, role: "admin", name: "incoming.sample" }, (input, { user }) =>
  runSampleFetch(input, user.id),
);

export const deleteMailboxAction = defineAction({ schema: mailboxIdSchema, role: "admin", name: "incoming.delete" }, ({ id }) => deleteMailbox(id));
