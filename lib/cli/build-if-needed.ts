import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const INPUTS = [
  "app",
  "lib",
  "public",
  "proxy.ts",
  "next.config.js",
  "package-lock.json",
  "tsconfig.json",
  "prisma/models.prisma",
];
const SKIP = /(^|\/)(generated|node_modules)(\/|$)|\.test\.tsx?$/;

function fingerprint(root: string): string {
  const hash = createHash("sha256");
  const walk = (rel: string) => {
    const abs = path.join(root, rel);
    if (!existsSync(abs) || SKIP.test(rel)) return;
    if (statSync(abs).isDirectory()) {
      for (const name of readdirSync(abs).sort()) walk(path.join(rel, name));
    } else {
      hash.update(rel).update("\0").update(readFileSync(abs));
    }
  };
  INPUTS.forEach(walk);
  return hash.digest("hex");
}

const nextBin = (root: string) => path.join(root, "node_modules", "next", "dist", "bin", "next");
const buildEnv = () => ({ ...process.env, NEXT_TELEMETRY_DISABLED: "1" });

/** What `.next` must have been built from, or null when the build there is current. */
function staleBuild(root: string): { marker: string; sources: string } | null {
  const marker = path.join(root, ".next", "mailbridge-sources.sha256");
  const sources = fingerprint(root);
  if (
    existsSync(path.join(root, ".next", "BUILD_ID")) &&
    existsSync(marker) &&
    readFileSync(marker, "utf8") === sources
  )
    return null;
  return { marker, sources };
}

/** Runs `next build` unless .next already holds a build of exactly these sources. */
export function buildIfNeeded(root: string): void {
  const stale = staleBuild(root);
  if (!stale) return;
  console.log("building the console (first start or changed sources)…");
  execFileSync(process.execPath, [nextBin(root), "build"], { cwd: root, stdio: "inherit", env: buildEnv() });
  writeFileSync(stale.marker, stale.sources);
}

/** The same without blocking, so the caller can pass a stop signal on to the build (`track`). */
export async function buildIfNeededInBackground(root: string, track: (child: ChildProcess) => void): Promise<void> {
  const stale = staleBuild(root);
  if (!stale) return;
  console.log("building the console (first start or changed sources)…");
  const child = spawn(process.execPath, [nextBin(root), "build"], { cwd: root, stdio: "inherit", env: buildEnv() });
  track(child);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`next build failed (exit code ${code})`);
  writeFileSync(stale.marker, stale.sources);
}
