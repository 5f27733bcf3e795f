// A test hook: with MAILBRIDGE_TEST_CRASH_AT=<point>:<n> the process dies by SIGKILL the n-th time it passes
// <point>, so the crash tests can stop the fetcher exactly between two steps that must stay atomic.
import { config } from "@/lib/config";

export const CRASH_POINTS = [
  "after-raw-write",
  "mid-transaction",
  "mid-insert",
  "before-commit",
  "after-commit",
  "after-after-fetch",
  "mid-extraction",
  "after-cursor-baseline",
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

const passes = new Map<string, number>();

export function crashPoint(point: CrashPoint): void {
  const target = config().fetch.crashAt;
  if (!target) return;
  const [name, count] = target.split(":");
  if (name !== point) return;
  const n = (passes.get(point) ?? 0) + 1;
  passes.set(point, n);
  if (n === Number(count)) process.kill(process.pid, "SIGKILL");
}
