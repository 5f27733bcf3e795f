// Next calls register() once when the console's server starts: the embedded fetcher (unless
// MAILBRIDGE_FETCHER=off) and the outbox worker run in the console process. NEXT_RUNTIME is Next's build-time
// constant naming the bundle (not configuration): it drops the Node-only branch from the edge bundle, which is
// why it is read here and not through lib/config.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startBackgroundJobs } = await import("./lib/cli/background-jobs");
  startBackgroundJobs();
}
