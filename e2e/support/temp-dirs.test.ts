import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { removeStaleTempEntries } from "./temp-dirs";

it("removes only our tests' entries older than the age given, folders with their contents", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "temp-dirs-test-"));
  const hour = 3_600_000;
  const now = Date.now();
  const make = (name: string, ageMs: number, folder = true) => {
    const entry = path.join(root, name);
    if (folder) {
      mkdirSync(entry);
      writeFileSync(path.join(entry, "db.sqlite"), "x");
    } else writeFileSync(entry, "{}");
    const at = new Date(now - ageMs);
    utimesSync(entry, at, at);
  };
  make("mailbridge-test-old", 4 * hour);
  make("mb-mig-old", 5 * hour);
  make("mailbridge-bench-rig-1.json", 4 * hour, false);
  make("mailbridge-test-recent", hour);
  make("someone-elses-old", 9 * hour);
  const removed = removeStaleTempEntries(3 * hour, { dir: root, now });
  expect(removed.sort()).toEqual(["mailbridge-bench-rig-1.json", "mailbridge-test-old", "mb-mig-old"]);
  expect(readdirSync(root).sort()).toEqual(["mailbridge-test-recent", "someone-elses-old"]);
  expect(existsSync(path.join(root, "mailbridge-test-recent", "db.sqlite"))).toBe(true);
  rmSync(root, { recursive: true, force: true });
});
