// The Debian packages the tests need: installed when missing and running as root, else named exactly.
import { execFileSync, spawnSync } from "node:child_process";

export const REQUIRED_PACKAGES = ["chromium", "dovecot-imapd", "dovecot-pop3d", "postfix", "postgresql", "openssl"];

function missing(): string[] {
  return REQUIRED_PACKAGES.filter((p) => {
    const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", p], { encoding: "utf8" });
    return r.status !== 0 || !r.stdout.includes("install ok installed");
  });
}

export function ensureSystemPackages(): void {
  const needed = missing();
  if (needed.length === 0) return;
  const line = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${needed.join(" ")}`;
  if (process.getuid?.() !== 0) {
    throw new Error(`the tests need Debian packages that are missing; install them as root:\n  ${line}`);
  }
  console.log(`installing missing packages: ${needed.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // Postfix asks how to configure itself unless told: the rig runs its own instance anyway.
  execFileSync(
    "bash",
    ["-c", "echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections"],
    { stdio: "inherit", env },
  );
  execFileSync("bash", ["-c", line], { stdio: "inherit", env });
  const still = missing();
  if (still.length) throw new Error(`still missing after apt-get: ${still.join(" ")}`);
}
