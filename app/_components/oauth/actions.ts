"use server";
import { z } from "zod";
import { defineAction } from "@/lib/actions";
import { discoverEndpoints, getConnectionStatus } from "@/lib/oauth";

/** The connection's state, for a consent popup that closed without telling its opener. */
export const consentStatusAction = defineAction(
  { schema: z.object({ connectionId: z.string().min(1) }), role: "admin", name: "oauth.consentStatus" },
  async ({ connectionId }) => {
    const conn = await getConnectionStatus(connectionId);
    return {
      status: conn?.status ?? "missing",
      updatedAt: conn?.updatedAt.toISOString() ?? null,
      identity: conn?.identity ?? null,
    };
  },
);

/** Fills a generic provider's endpoints from its issuer's metadata (OpenID Connect / RFC 8414). */
export const discoverEndpointsAction = defineAction(
  {
    schema: z.object({ issuer: z.string().trim().min(1, "Enter the issuer URL") }),
    role: "admin",
    name: "oauth.discover",
  },
  ({ issuer }) => discoverEndpoints(issuer),
);
