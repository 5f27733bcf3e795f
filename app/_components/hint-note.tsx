"use client";
import { useSyncExternalStore } from "react";
import type { Hint } from "@/lib/errors";
import { noSubscription } from "./use-hydrated";

/**
 * A catalogue hint: what it means, what to do, and a link to the setup guide's step that fixes it when that
 * step is on the page (the guide shows the steps of the chosen provider only).
 */
export function HintNote({ hint }: { hint: Hint }) {
  const step = hint.guideStep;
  // Read on every render: the guide's steps follow the provider chosen in the form. Not known on the server.
  const stepShown = useSyncExternalStore(
    noSubscription,
    () => Boolean(step && document.getElementById(step)),
    () => false,
  );
  return (
    <div className="alert alert-info" role="note">
      <strong>{hint.title}</strong>
      <p>{hint.action}</p>
      {step && stepShown && (
        <p>
          <a href={`#${step}`}>Show the setup step that fixes this</a>
        </p>
      )}
    </div>
  );
}
