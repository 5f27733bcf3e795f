import { config } from "@/lib/config";
import { addKeyToFile, loadKeyring } from "@/lib/crypto";
import { createRawClient, reencryptAll } from "@/lib/db";
import { migrate } from "@/lib/db/migrate";

// File mode: adds a new key in front of the key file, then re-encrypts. Running processes re-read the
// file when they meet the new key id, so nobody stops. Inline mode (MAILBRIDGE_SECRET_KEY): the operator
// puts the new key first in the variable on every process, then runs this to re-encrypt.
async function main() {
  const args = new Set(process.argv.slice(2));
  await migrate(config().database);
  const source = loadKeyring();
  if (source.kind === "file" && !args.has("--reencrypt-only")) {
    const key = addKeyToFile();
    console.log(`added key ${key.id} to ${source.file}`);
  }
  const raw = createRawClient(config().database);
  try {
    const report = await reencryptAll(raw);
    console.log(
      `re-encrypted ${report.reencrypted} secret values under key ${report.keyId} (${report.alreadyCurrent} were already current)`,
    );
    console.log("older keys can be removed from the keyring once every process has restarted with this one");
  } finally {
    await raw.$disconnect();
  }
}

main().catch((e) => {
  console.error(`secrets:rotate failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
