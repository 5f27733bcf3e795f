import "server-only";
import { bannerSlot } from "./banner-cache";
import { getOutgoingStatus } from "./outgoing-view";

type Status = Awaited<ReturnType<typeof getOutgoingStatus>>;

// Every console page shows whether sending fails: one query per page for a row that changes when a send
// fails or works. The answer is shared for a moment; this process's own changes forget it at once
// (banner-cache.ts), others (a connection needing reconnect, another process) show within TTL_MS.
const TTL_MS = 2000;

/** The outgoing status for the banner of every console page. */
export function outgoingBannerStatus(now = Date.now()): Promise<Status> {
  const known = bannerSlot.get();
  if (known && known.until > now) return known.status as Promise<Status>;
  const status = getOutgoingStatus();
  bannerSlot.set({ until: now + TTL_MS, status });
  // a failed read is not shared: the next page asks again
  status.catch(() => {
    if (bannerSlot.get()?.status === status) bannerSlot.set(undefined);
  });
  return status;
}
