// Six concurrent previews of a 20 MiB mail in a process of their own: its memory grows by far less than six
// mails (the preview holds at most two, each cut at 4 MiB) and falls back once they are done.
import { execFile } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";

it("six concurrent previews of a 20 MiB mail keep the process's memory bounded", async () => {
  const root = path.resolve(import.meta.dirname, "../../..");
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ["--expose-gc", "--conditions=react-server", "--import", "tsx", "e2e/support/preview-memory-child.ts"],
      // react-server: the condition under which "server-only" is an empty module, as in the console's server bundle
      { cwd: root, env: { ...process.env, TSX_TSCONFIG_PATH: path.join(root, "tsconfig.json") }, timeout: 90_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
  const result = JSON.parse(output.trim().split("\n").at(-1)!) as {
    ok: boolean;
    peakGrowthMiB: number;
    finalGrowthMiB: number;
  };
  expect(result.ok).toBe(true);
  // Parsing the six whole mails at once, as the preview did before, grew this process by about 466 MiB at its
  // peak and kept 311 MiB; capped and two at a time it grows by 80-105 MiB (RSS includes lazily loaded code).
  expect(result.peakGrowthMiB).toBeLessThan(200);
  expect(result.finalGrowthMiB).toBeLessThan(120);
}, 120_000);
