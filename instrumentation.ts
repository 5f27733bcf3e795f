// Next calls register() once when the server process starts: the embedded fetcher starts here (unless
// MAILBRIDGE_FETCHER=off). NEXT_RUNTIME is Next's build-time constant naming the bundle, not configuration:
// it keeps the Node-only fetcher out of the edge bundle.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startEmbeddedFetcher } = await import("@/lib/fetcher");
  startEmbeddedFetcher();
}
