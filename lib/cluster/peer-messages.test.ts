// What a message from another web process does here (the relay itself: lib/cli/web-processes.test.ts).
import { expect, it } from "vitest";
import { bannerSlot } from "@/lib/mail/outgoing/banner-cache";
import { onOutboxWake } from "@/lib/mail/outgoing/outbox-signal";
import { rememberedSessionUser, rememberSessionUser } from "@/lib/users/session-user";
import { deliverPeerMessageForTests } from "./peer-messages";

const row = { id: "u1", email: "a@example.test", name: "", role: "admin", disabled: false, sessionVersion: 0 };

it("forget-session-user forgets that user only", () => {
  rememberSessionUser("u1", row);
  rememberSessionUser("u2", { ...row, id: "u2" });
  deliverPeerMessageForTests("forget-session-user", "u1");
  expect(rememberedSessionUser("u1")).toBeUndefined();
  expect(rememberedSessionUser("u2")?.id).toBe("u2");
});

it("forget-outgoing-banner forgets the banner's shared answer", () => {
  bannerSlot.set({ until: Date.now() + 60_000, status: Promise.resolve(null) });
  deliverPeerMessageForTests("forget-outgoing-banner");
  expect(bannerSlot.get()).toBeUndefined();
});

it("wake-outbox wakes this process's outbox worker", () => {
  let woken = 0;
  const stop = onOutboxWake(() => woken++);
  deliverPeerMessageForTests("wake-outbox");
  stop();
  expect(woken).toBe(1);
});
