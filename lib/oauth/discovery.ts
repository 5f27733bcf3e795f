import "server-only";
import * as client from "openid-client";
import { UserFacingError } from "@/lib/errors";
import { findOutboundRefusal } from "@/lib/net";
import { outboundFetch } from "./outbound-fetch";
import { isLoopback } from "./token-request";

export type DiscoveredEndpoints = { issuer: string; authorizeUrl: string; tokenUrl: string; revocationUrl: string };

/** A provider's metadata (OpenID Connect discovery, then RFC 8414 authorization-server metadata) from its issuer URL. */
export async function discoverMetadata(issuerUrl: string): Promise<client.ServerMetadata> {
  let issuer: URL;
  try {
    issuer = new URL(issuerUrl);
  } catch {
    throw new UserFacingError("Enter the issuer as a URL, e.g. https://login.example.com.", { field: "issuer" });
  }
  if (issuer.protocol !== "https:" && !isLoopback(issuer))
    throw new UserFacingError("The issuer must use https.", { field: "issuer" });
  const options = {
    ...(issuer.protocol === "http:" ? { execute: [client.allowInsecureRequests] } : {}),
    [client.customFetch]: outboundFetch() as client.CustomFetch,
    timeout: 10,
  };
  for (const algorithm of ["oidc", "oauth2"] as const) {
    try {
      return (
        await client.discovery(issuer, "discovery", undefined, undefined, { ...options, algorithm })
      ).serverMetadata();
    } catch (error) {
      const refusal = findOutboundRefusal(error);
      if (refusal) throw new UserFacingError(refusal.message, { field: "issuer" });
      if (algorithm === "oauth2") {
        const reason = error instanceof Error ? error.message : String(error);
        throw new UserFacingError(`No provider metadata found at ${issuer.href}: ${reason}`, {
          field: "issuer",
          raw: reason,
        });
      }
    }
  }
  throw new UserFacingError(`No provider metadata found at ${issuer.href}.`, { field: "issuer" });
}

/** The endpoints of a generic provider, read from its issuer's metadata. */
export async function discoverEndpoints(issuerUrl: string): Promise<DiscoveredEndpoints> {
  const metadata = await discoverMetadata(issuerUrl);
  if (!metadata.token_endpoint)
    throw new UserFacingError("The provider's metadata names no token endpoint.", { field: "issuer" });
  return {
    issuer: metadata.issuer,
    authorizeUrl: metadata.authorization_endpoint ?? "",
    tokenUrl: metadata.token_endpoint,
    revocationUrl: metadata.revocation_endpoint ?? "",
  };
}
