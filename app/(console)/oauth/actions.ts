"use server";
import { z } from "zod";
import { defineAction } from "@/lib/actions";
import {
  applicationSchema,
  deleteConnection,
  discardPendingChange,
  getAccessToken,
  oauthFieldsSchema,
  saveApplication,
  saveOAuthConnection,
} from "@/lib/oauth";

const connectionIdSchema = z.object({ connectionId: z.string().min(1) });

/** Obtains a token now: the only proof that a non-interactive grant works. */
async function obtainToken(connectionId: string) {
  const token = await getAccessToken(connectionId, { forceRefresh: true });
  return { expiresAt: token.expiresAt.toISOString() };
}

export const saveConnectionAction = defineAction(
  { schema: oauthFieldsSchema, role: "admin", name: "oauth.save" },
  async (input, { user }) => {
    const saved = await saveOAuthConnection(input, { userId: user.id, direction: "incoming", fieldPrefix: "" });
    if (saved.needsConsent || input.grantType === "authorization_code") return { ...saved, token: null };
    return { ...saved, token: await obtainToken(saved.connectionId) };
  },
);

export const testConnectionAction = defineAction(
  { schema: connectionIdSchema, role: "admin", name: "oauth.test" },
  ({ connectionId }) => obtainToken(connectionId),
);

export const deleteConnectionAction = defineAction(
  { schema: connectionIdSchema, role: "admin", name: "oauth.delete" },
  ({ connectionId }) => deleteConnection(connectionId),
);

export const discardPendingChangeAction = defineAction(
  { schema: connectionIdSchema, role: "admin", name: "oauth.discardPending" },
  ({ connectionId }) => discardPendingChange(connectionId),
);

/** The application's own fields, for every connection that uses it. */
export const saveApplicationAction = defineAction(
  { schema: applicationSchema, role: "admin", name: "oauth.saveApplication" },
  (input) => saveApplication(input),
);
