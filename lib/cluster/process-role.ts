// Which of the console's processes runs the background jobs (fetcher scheduler, outbox worker, purge): with
// several web processes (lib/cli/web-processes.ts) exactly one does. The others are started with this flag;
// a console started any other way (one process, `next dev`) runs them itself.
export const WEB_ONLY_FLAG = "--web-only";

export function runsBackgroundJobs(argv: readonly string[] = process.argv): boolean {
  return !argv.includes(WEB_ONLY_FLAG);
}
