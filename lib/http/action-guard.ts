import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** Next's own limit for a server action's body; checked here so an oversized post is a 413, not a 500. */
export const ACTION_BODY_LIMIT = 1024 * 1024;

type Manifest = { node: Record<string, { workers: Record<string, unknown> }> };

/** app/(console)/incoming/[id]/page → /^\/incoming\/[^/]+\/?$/ */
function pagePattern(worker: string): RegExp {
  const segments = worker
    .replace(/^app\//, "")
    .replace(/(^|\/)page$/, "")
    .split("/")
    .filter((s) => s && !/^\(.*\)$/.test(s))
    .map((s) =>
      s.startsWith("[...") || s.startsWith("[[...")
        ? ".+"
        : s.startsWith("[")
          ? "[^/]+"
          : s.replace(/[.*+?^${}()|\\]/g, "\\$&"),
    );
  return new RegExp(`^/${segments.join("/")}${segments.length ? "/?" : ""}$`);
}

let pagesByAction: Map<string, RegExp[]> | undefined;

/** Which pages may run which action, from the build's manifest (the server runs from the project folder). */
function actionPages(): Map<string, RegExp[]> {
  if (pagesByAction) return pagesByAction;
  const file = path.join(process.cwd(), ".next", "server", "server-reference-manifest.json");
  const manifest: Manifest = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : { node: {} };
  pagesByAction = new Map(
    Object.entries(manifest.node).map(([id, entry]) => [
      id,
      Object.keys(entry.workers)
        .filter((w) => w.endsWith("/page") || w === "page")
        .map(pagePattern),
    ]),
  );
  return pagesByAction;
}

const refuse = (status: number, error: string) => Response.json({ error }, { status });

/**
 * A server-action post that Next would answer with a 500 or an uncaught exception in the log: too big,
 * without a length, or carrying an action this page does not have (Next would try to forward it).
 */
export function refuseActionRequest(method: string, pathname: string, headers: Headers): Response | null {
  const actionId = headers.get("next-action");
  if (method !== "POST" || !actionId) return null;
  const length = headers.get("content-length");
  if (length === null) return refuse(411, "A server action needs a Content-Length.");
  if (Number(length) > ACTION_BODY_LIMIT) return refuse(413, "The form is too large (at most 1 MB).");
  const pages = actionPages().get(actionId);
  if (!pages?.some((p) => p.test(pathname)))
    return refuse(404, "This action is not available on this page. Reload the page.");
  return null;
}
