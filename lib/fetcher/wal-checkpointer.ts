// Checkpoints of the hot path's SQLite database off the main thread: the hot connection's own automatic
// checkpoint is only a backstop at WAL_BACKSTOP_PAGES (a checkpoint then copies little: this one has done the
// rest). After a commit, if the log has reached NUDGE_BYTES and no checkpoint is running, the worker runs one.
import { stat } from "node:fs/promises";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { log } from "@/lib/log";

/** The hot connection's wal_autocheckpoint (pages of 4 KB: 64 MB), should this worker fall behind. */
export const WAL_BACKSTOP_PAGES = 16_384;
const NUDGE_BYTES = 4 * 1024 * 1024;

export type CheckpointResult = { log: number; checkpointed: number };

export class WalCheckpointer {
  private worker: Worker | null = null;
  private running: Promise<CheckpointResult | null> | null = null;
  private closed = false;
  /** the worker could not run (it exited before answering): the backstop alone bounds the log from then on */
  private broken = false;

  constructor(private readonly file: string) {}

  /** After a commit: a checkpoint if the log has grown and none is running (not waited on by the commit). */
  committed(): void {
    if (this.running || this.closed || this.broken) return;
    this.running = this.checkIfDue().finally(() => (this.running = null));
  }

  /** Settles once the checkpoint running now (if any) ended. */
  async idle(): Promise<CheckpointResult | null> {
    return (await this.running) ?? null;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.running;
    await this.worker?.terminate();
    this.worker = null;
  }

  private async checkIfDue(): Promise<CheckpointResult | null> {
    const size = await stat(`${this.file}-wal`).then(
      (s) => s.size,
      () => 0,
    );
    if (size < NUDGE_BYTES || this.closed) return null;
    return this.checkpoint();
  }

  private checkpoint(): Promise<CheckpointResult | null> {
    const worker = (this.worker ??= this.start());
    worker.ref();
    return new Promise((resolve) => {
      const done = (reply: { ok: boolean; error?: string } & CheckpointResult) => {
        worker.off("exit", gone);
        worker.unref();
        // A failed checkpoint loses nothing: the log stays, and the next one (or the backstop) copies it.
        if (!reply.ok) log.warn("WAL checkpoint failed", { error: reply.error });
        resolve(reply.ok ? { log: reply.log, checkpointed: reply.checkpointed } : null);
      };
      const gone = () => {
        worker.off("message", done);
        this.worker = null;
        this.broken = true;
        resolve(null);
      };
      worker.once("message", done);
      worker.once("exit", gone);
      worker.postMessage("checkpoint");
    });
  }

  private start(): Worker {
    const worker = new Worker(path.join(process.cwd(), "lib", "fetcher", "wal-checkpoint-worker.mjs"), {
      workerData: { file: this.file },
      // It runs one statement at a time: a small heap is plenty.
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 2 },
    });
    worker.on("error", (error) => log.warn("WAL checkpoint worker stopped", { error: error.message }));
    worker.unref();
    return worker;
  }
}
