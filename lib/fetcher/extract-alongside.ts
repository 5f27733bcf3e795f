// Extraction running alongside a fetch: each committed batch is extracted while the next ones are fetched, so
// a body follows its request by a batch or two instead of waiting for the whole fetch, and the extraction uses
// the time the fetch spends waiting for the server.
import { extractPending } from "./extract";

/** How many mails one pass takes: about one batch, so a pass never lags far behind the commits. */
const PASS = 100;
/** Once the fetch is done, larger passes: the next group is read and parsed while one commits. */
const DRAIN_PASS = 500;

export type Extraction = {
  /** a batch was committed: there is mail to extract */
  committed(): void;
  /** drain: extract what is pending, then end; otherwise end after the current group */
  finish(drain: boolean): Promise<void>;
};

export function extractAlongside(opts: { mailboxId: string; signal?: AbortSignal }): Extraction {
  // Mail may be pending from an interrupted earlier run, so the first pass looks before any commit.
  let dirty = true;
  let ending: "drain" | "stop" | null = null;
  let wake: (() => void) | null = null;
  const nudge = () => {
    dirty = true;
    wake?.();
    wake = null;
  };
  const done = (async () => {
    for (;;) {
      if (ending === "stop" || opts.signal?.aborted) return;
      if (!dirty) {
        if (ending === "drain") return;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      dirty = false;
      if (
        (await extractPending({
          mailboxId: opts.mailboxId,
          limit: ending === "drain" ? DRAIN_PASS : PASS,
          signal: opts.signal,
        })) > 0
      )
        dirty = true;
    }
  })();
  // Its failure surfaces in finish(); until then it must not count as unhandled.
  done.catch(() => undefined);
  return {
    committed: nudge,
    async finish(drain) {
      ending = drain ? "drain" : "stop";
      nudge();
      await done;
    },
  };
}
