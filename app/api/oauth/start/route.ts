import { AccessDenied, requireUser } from "@/lib/auth";
import { UserFacingError } from "@/lib/errors";
import { logUnexpected } from "@/lib/log";
import { consentReturnPath, popupResponse, redirectResponse, scriptNonce, startAuthorization } from "@/lib/oauth";

/** Opens the consent flow: /api/oauth/start?connectionId=…&mode=popup|redirect&returnTo=/path[&switchAccount=1] */
export async function GET(request: Request) {
  const q = new URL(request.url).searchParams;
  const mode = q.get("mode") === "redirect" ? "redirect" : "popup";
  const returnTo = consentReturnPath(q.get("returnTo"));
  const answer = (error: string) =>
    mode === "popup"
      ? popupResponse({ ok: false, error, code: "start_failed" }, scriptNonce(request.headers))
      : redirectResponse(returnTo, { ok: false, error, code: "start_failed" });
  let user;
  try {
    user = await requireUser("admin");
  } catch (error) {
    if (error instanceof AccessDenied) return new Response(error.message, { status: 403 });
    throw error;
  }
  const connectionId = q.get("connectionId");
  if (!connectionId) return answer("No connection was given.");
  try {
    const url = await startAuthorization(connectionId, user.id, mode, returnTo, {
      switchAccount: q.get("switchAccount") === "1",
    });
    return new Response(null, { status: 302, headers: { location: url, "cache-control": "no-store" } });
  } catch (error) {
    if (error instanceof UserFacingError) return answer(error.message);
    const id = logUnexpected("oauth start", error);
    return answer(`Something went wrong. The error was logged with id ${id}.`);
  }
}
