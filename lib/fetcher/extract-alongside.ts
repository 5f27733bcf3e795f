// Extraction around a fetch. Parsing competes with the fetch for the CPU (the connection is read, hashed, written
// and committed on the main thread, and the mail server may run on the same machine), so while mail streams in it
// waits: a short fetch is extracted right after it ends (its worker starts then too: loading the parser alongside the
// fetch measured ~200 ms slower commits for 2,000 mails and no earlier bodies). Once a committed mail has waited `lagMs`, a long fetch (an
// import) is extracted alongside, each committed batch while the next ones are fetched, so a body never trails
// its request by more than about that.
import { extractPending } from "./extract";

/** How many mails one pass takes: about one batch, so a pass never lags far behind the commits. */
const PASS = 100;
/** Once the fetch is done, larger passes: the next group is read and parsed while one commits. */
const DRAIN_PASS = 500;
/** How long a committed mail waits for its body at most, while the fetch goes on. */
const DEFAULT_LAG_MS = 3_000;

export type Extraction = {
  /** a batch was committed: there is mail to extract */
  committed(): void;
  /** drain: extract what is pending, then end; otherwise end after the current group */
  finish(drain: boolean): Promise<void>;
};

type Options = {
  mailboxId: string;
  signal?: AbortSignal;
  lagMs?: number;
  /** extracts up to `limit` pending mails, returns how many it took (extractPending; replaced in tests) */
  extract?: (pass: { mailboxId: string; limit: number; signal?: AbortSignal }) => Promise<number>;
};

export function extractAlongside(opts: Options): Extraction {
  const extract = opts.extract ?? extractPending;
  const lagMs = opts.lagMs ?? DEFAULT_LAG_MS;
  // Mail may be pending from an interrupted earlier run, so the first pass looks before any commit.
  let dirty = true;
  let ending: "drain" | "stop" | null = null;
  let alongside = false;
  let lagTimer: NodeJS.Timeout | undefined;
  let wake: (() => void) | null = null;
  const nudge = () => {
    wake?.();
    wake = null;
  };
  const committed = () => {
    dirty = true;
    if (!alongside && !lagTimer) {
      lagTimer = setTimeout(() => {
        alongside = true;
        nudge();
      }, lagMs);
      lagTimer.unref();
    }
    nudge();
  };
  const done = (async () => {
    for (;;) {
      if (ending === "stop" || opts.signal?.aborted) return;
      if (!dirty || (!alongside && !ending)) {
        if (!dirty && ending === "drain") return;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      dirty = false;
      if ((await extract({ mailboxId: opts.mailboxId, limit: ending ? DRAIN_PASS : PASS, signal: opts.signal })) > 0)
        dirty = true;
    }
  })();
  // Its failure surfaces in finish(); until then it must not count as unhandled.
  done.catch(() => undefined);
  return {
    committed,
    async finish(drain) {
      ending = drain ? "drain" : "stop";
      clearTimeout(lagTimer);
      nudge();
      await done;
    },
  };
}
