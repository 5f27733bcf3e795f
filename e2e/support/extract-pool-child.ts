// Parses one mail through an extraction pool and then simply returns, without closing the pool or calling
// process.exit: the process must end on its own once the worker is idle.
import os from "node:os";
import path from "node:path";
import { ExtractPool } from "@/lib/fetcher/extract-pool";

async function main(workerFile: string) {
  const pool = new ExtractPool({ workerFile, size: 1, deadlineMs: 30_000 });
  const base = path.join(os.tmpdir(), `extract-pool-child-${process.pid}`);
  const result = await pool.parse(Buffer.from("Subject: child\r\n\r\nHello from the child\r\n"), {
    relativeBase: base,
    absoluteBase: base,
  });
  process.stdout.write(`parsed: ${result.ok ? result.text.toString().trim() : result.why}\n`);
}

void main(process.argv[2]);
