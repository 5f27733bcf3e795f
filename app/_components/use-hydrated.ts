"use client";
import { useSyncExternalStore } from "react";

/** useSyncExternalStore with nothing to subscribe to: the snapshot is read again on each render, never pushed. */
export const noSubscription = () => () => {};

/**
 * False in the server's HTML and while React hydrates it, true from then on. A control whose handler React has
 * not attached yet does nothing when clicked, and a form submitted natively would reload the page with what was
 * typed lost: such controls stay disabled until this is true.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/** `pending` for a control's `disabled`: also true until the component has hydrated. */
export function useBusy(pending: boolean): boolean {
  return useHydrated() ? pending : true;
}
