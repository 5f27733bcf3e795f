import "server-only";
import { onPeerMessage, tellPeers } from "@/lib/cluster";

// The banner's shared answer (banner-status.ts), on globalThis so pages and the writers of the status share it.
type Slot = { until: number; status: Promise<unknown> };
const shared = globalThis as unknown as { mailbridgeBannerStatus?: Slot };

export const bannerSlot = {
  get: (): Slot | undefined => shared.mailbridgeBannerStatus,
  set: (slot: Slot | undefined) => {
    shared.mailbridgeBannerStatus = slot;
  },
};

/** Called where this process changes the outgoing status: the next page, in any web process, reads it fresh. */
export function forgetOutgoingBannerStatus(): void {
  shared.mailbridgeBannerStatus = undefined;
  tellPeers("forget-outgoing-banner");
}

onPeerMessage("forget-outgoing-banner", () => {
  shared.mailbridgeBannerStatus = undefined;
});
