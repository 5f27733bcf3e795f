"use server";
import { z } from "zod";
import { defineAction } from "@/lib/actions";
import { db } from "@/lib/db";

/** The connection's state, for a consent popup that closed without telling its opener. */
export const consentStatusAction = defineAction(
  { schema: z.object({ connectionId: z.string().min(1) }), role: "admin", name: "oauth.consentStatus" },
  async ({ connectionId }) => {
    const conn = await db().oAuthConnection.findUnique({ where: { id: connectionId }, select: { status: true, updatedAt: true } });
    return { status: conn?.status ?? "missing", updatedAt: conn?.updatedAt.toISOString() ?? null };
  },
);
