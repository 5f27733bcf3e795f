// Starts one test rig for the whole vitest run unless MAILBRIDGE_RIG_INFO already points at a running one
// (e.g. started with `tsx e2e/rig/cli.ts start`). Workers are forked after this runs, so they inherit the
// env vars and find the rig through rigInfo().
import path from "node:path";
import { ensurePostgres } from "./support/postgres";

// Here, not in the first test that needs it: recovery after an unclean stop can outlast a test's time limit.
function startPostgres(): void {
  try {
    ensurePostgres();
  } catch (e) {
    console.error(`[postgres] not started: ${e instanceof Error ? e.message : e}`);
  }
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  startPostgres();
  if (process.env.MAILBRIDGE_RIG_INFO) return undefined;
  const dir = path.resolve("test-results", `rig-${process.pid}`);
  process.env.MAILBRIDGE_RIG_INFO = path.join(dir, "rig.json");
  try {
    // Loaded only when needed, so runs against an existing rig do not import the servers at all.
    const { startRig } = await import("./rig/index");
    const rig = await startRig({ dir });
    return async () => {
      await rig.stop();
    };
  } catch (error) {
    // Unit tests do not need the rig; every test that does fails in rigInfo() with this reason.
    const reason = error instanceof Error ? error.message : String(error);
    process.env.MAILBRIDGE_RIG_ERROR = reason;
    console.error(`[rig] not started: ${reason}`);
    return undefined;
  }
}
