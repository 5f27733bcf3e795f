// Enumerates the console's route handlers and server actions from the app/ tree and the build's manifest,
// so security tests cover every new route and action without being edited.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "..", "..");

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const abs = path.join(dir, name);
    if (statSync(abs).isDirectory()) walk(abs, out);
    else out.push(abs);
  }
  return out;
}

/** app/(group)/a/[id]/page.tsx → /a/x */
export function urlOf(appRelativeDir: string): string {
  const segments = appRelativeDir
    .split("/")
    .filter((s) => s && !/^\(.*\)$/.test(s))
    .map((s) => (s.startsWith("[...") || s.startsWith("[[...") ? "x/y" : s.startsWith("[") ? "x" : s));
  return "/" + segments.join("/");
}

export type RouteHandler = { file: string; url: string; methods: string[] };

export function routeHandlers(): RouteHandler[] {
  return walk(path.join(root, "app"))
    .filter((f) => /\/route\.tsx?$/.test(f))
    .map((file) => {
      const text = readFileSync(file, "utf8");
      const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) =>
        new RegExp(`export\\s+(async\\s+)?(function|const)\\s+${m}\\b|export\\s+const\\s+\\{[^}]*\\b${m}\\b`).test(
          text,
        ),
      );
      const rel = path.relative(path.join(root, "app"), path.dirname(file)).split(path.sep).join("/");
      return { file: path.relative(root, file), url: urlOf(rel), methods };
    });
}

export type ServerAction = { id: string; file: string; name: string; pageUrl: string };

/** Every exported function of every "use server" file under app/. */
export function declaredServerActions(): { file: string; name: string }[] {
  return walk(path.join(root, "app"))
    .filter((f) => /\.tsx?$/.test(f))
    .filter((f) => /^\s*["']use server["']/.test(readFileSync(f, "utf8")))
    .flatMap((f) => {
      const text = readFileSync(f, "utf8");
      const names = [...text.matchAll(/export\s+(?:async\s+function|const|function)\s+(\w+)/g)].map((m) => m[1]);
      return names.map((name) => ({ file: path.relative(root, f), name }));
    });
}

/** The actions as the build knows them, with their ids and a page that can run them. */
export function builtServerActions(): ServerAction[] {
  const manifest = JSON.parse(readFileSync(path.join(root, ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { workers: Record<string, unknown>; filename?: string; exportedName?: string }>;
  };
  return Object.entries(manifest.node).map(([id, entry]) => {
    const worker = Object.keys(entry.workers)[0];
    const dir = worker
      .replace(/^app\//, "")
      .replace(/\/(page|route)$/, "")
      .replace(/^(page|route)$/, "");
    return { id, file: entry.filename ?? "", name: entry.exportedName ?? "", pageUrl: urlOf(dir) };
  });
}

/** Calls a server action the way React does, with whatever cookies the request context carries. */
export function actionRequest(action: ServerAction, args: unknown[]) {
  return {
    url: action.pageUrl,
    options: {
      method: "POST",
      headers: { "Next-Action": action.id, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" },
      data: JSON.stringify(args),
      maxRedirects: 0,
    },
  };
}
