import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const INPUTS = ["app", "lib", "public", "proxy.ts", "next.config.js", "package-lock.json", "tsconfig.json", "prisma/models.prisma"];
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

/** Runs `next build` unless .next already holds a build of exactly these sources. */
export function buildIfNeeded(root: string): void {
  const marker = path.join(root, ".next", "mailbridge-sources.sha256");
  const current = fingerprint(root);
  if (existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(marker) && readFileSync(marker, "utf8") === current) return;
  console.log("building the console (first start or changed sources)…");
  execFileSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  writeFileSync(marker, current);
}
