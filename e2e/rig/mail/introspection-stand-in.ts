// Test-only: an introspection endpoint answering the rig contract's shape
// (POST /rig/introspect/mail, form token=..., optional ?user=), so the mail servers can be tested on their own,
// with token states the test sets directly. The real one is the rig's authorization server.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

type TokenState = { user: string | null; clientId: string; problem?: "expired" | "revoked" | "wrong-audience" };

export type IntrospectionStandIn = {
  url: string;
  /** a token for `user` (null = app-only token of a client) in the given state */
  issue(user: string | null, problem?: TokenState["problem"]): string;
  /** answer every request with this HTTP status instead (null = normal answers) */
  failWith(status: number | null): void;
  requests: { user: string | null; tokenPrefix: string }[];
  stop(): Promise<void>;
};

export async function startIntrospectionStandIn(delegates: Record<string, string[]>): Promise<IntrospectionStandIn> {
  const tokens = new Map<string, TokenState>();
  const requests: IntrospectionStandIn["requests"] = [];
  let failStatus: number | null = null;

  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const token = new URLSearchParams(body).get("token") ?? "";
      const loginUser = url.searchParams.get("user");
      requests.push({ user: loginUser, tokenPrefix: token.slice(0, 8) });
      if (failStatus !== null) {
        res.writeHead(failStatus, { "content-type": "text/plain" }).end("stand-in failure");
        return;
      }
      res.setHeader("content-type", "application/json");
      const state = tokens.get(token);
      if (req.method !== "POST" || url.pathname !== "/rig/introspect/mail" || !state || state.problem) {
        res.end(JSON.stringify({ active: false }));
        return;
      }
      const mayOpen =
        loginUser !== null &&
        (state.user === null ||
          state.user === loginUser.toLowerCase() ||
          (delegates[loginUser.toLowerCase()] ?? []).includes(state.user));
      res.end(
        JSON.stringify({
          active: true,
          username: mayOpen ? loginUser : (state.user ?? state.clientId),
          sub: state.user ?? state.clientId,
          aud: "urn:rig:mail",
          scope: "mail",
          client_id: state.clientId,
          exp: Math.floor(Date.now() / 1000) + 3600,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/rig/introspect/mail`,
    issue(user, problem) {
      const token = `standin.${randomBytes(24).toString("base64url")}`;
      tokens.set(token, { user: user?.toLowerCase() ?? null, clientId: "stand-in-client", problem });
      return token;
    },
    failWith(status) {
      failStatus = status;
    },
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
