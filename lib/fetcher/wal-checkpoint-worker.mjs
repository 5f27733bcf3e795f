// The SQLite write-ahead log's checkpoints, on a thread of their own (see wal-checkpointer.ts): a checkpoint
// copies the log's pages into the database file and syncs it, some 100 ms for a few MB, which would otherwise
// run on the main thread inside a commit. Loaded by path, never through the bundler.
import { parentPort, workerData } from "node:worker_threads";
import Database from "libsql";

const conn = new Database(workerData.file, { timeout: 10_000 });

parentPort.on("message", () => {
  try {
    // PASSIVE: copies what no reader still needs, never waits for a lock, never holds up a writer.
    const [result] = conn.prepare("PRAGMA wal_checkpoint(PASSIVE)").all();
    parentPort.postMessage({ ok: true, log: result.log, checkpointed: result.checkpointed });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) });
  }
});
