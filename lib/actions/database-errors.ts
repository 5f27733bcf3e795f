/**
 * Database refusals an action can meet when its input names something that is gone or taken (a stale page,
 * a hand-made request): the admin gets what happened, not "Something went wrong".
 */
const KNOWN: Record<string, string> = {
  P2025: "This item no longer exists (deleted meanwhile?). Reload the page.",
  P2003: "This refers to an item that no longer exists. Reload the page.",
  P2002: "An item with this value already exists.",
};

export function databaseRefusal(error: unknown): string | undefined {
  if (!error || typeof error !== "object" || (error as { name?: unknown }).name !== "PrismaClientKnownRequestError")
    return undefined;
  return KNOWN[String((error as { code?: unknown }).code)];
}
