import "server-only";
// The extra CA certificates (MAILBRIDGE_EXTRA_CA_FILE) trusted for mail servers next to the system ones, read
// once per file name, for incoming and outgoing mail alike.
import { readFileSync } from "node:fs";
import { config } from "@/lib/config";

let cached: { file: string; pem: string } | null = null;

export function extraCa(): string | undefined {
  const file = config().extraCaFile;
  if (!file) return undefined;
  if (cached?.file !== file) cached = { file, pem: readFileSync(file, "utf8") };
  return cached.pem;
}
