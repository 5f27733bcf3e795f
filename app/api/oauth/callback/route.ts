import { currentUser } from "@/lib/auth";
import { logUnexpected } from "@/lib/log";
import { completeAuthorization, outcomeOf, popupResponse, redirectResponse, scriptNonce } from "@/lib/oauth";

/** The redirect URI registered at the provider. Public: it checks its own single-use state. */
export async function GET(request: Request) {
  const user = await currentUser();
  const nonce = scriptNonce(request.headers);
  try {
    const result = await completeAuthorization(new URL(request.url), user?.id ?? null);
    const outcome = outcomeOf(result);
    return result.mode === "popup" ? popupResponse(outcome, nonce) : redirectResponse(result.returnTo, outcome);
  } catch (error) {
    const id = logUnexpected("oauth callback", error);
    return popupResponse(
      {
        ok: false,
        code: "unexpected",
        error: `Something went wrong while finishing the sign-in. The error was logged with id ${id}.`,
      },
      nonce,
    );
  }
}
