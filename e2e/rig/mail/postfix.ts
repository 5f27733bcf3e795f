// A private Postfix instance for the rig: submission with STARTTLS and SMTPS (implicit TLS) on free loopback
// ports, SMTP AUTH through the rig Dovecot's auth socket (so XOAUTH2/OAUTHBEARER tokens are checked by
// introspection), and every accepted message relayed to the rig's SMTP sink. Config, queue and data live
// under opts.dir (`postfix -c <dir>/conf` works on it).
import { spawn } from "node:child_process";
import { chmod, chown, mkdir, readFile, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { freePorts, waitForPorts } from "../ports";
import { systemGroup, systemUser } from "../system-user";
import type { RigTls } from "../tls";
const HOST = "127.0.0.1";

export type PostfixOptions = {
  dir: string;
  logDir: string;
  tls: RigTls;
  /** Dovecot SASL socket */
  authSocket: string;
  sinkPort: number;
  /** sender address → SASL logins allowed to use it in MAIL FROM (anything else is refused, like SendAs) */
  senderLogins: Record<string, string[]>;
};

export type PostfixHandle = {
  confDir: string;
  submissionPort: number;
  smtpsPort: number;
  pid: number;
  stop(): Promise<void>;
};

export async function startPostfix(opts: PostfixOptions): Promise<PostfixHandle> {
  const confDir = path.join(opts.dir, "conf");
  const queueDir = path.join(opts.dir, "queue");
  const dataDir = path.join(opts.dir, "data");
  await Promise.all([confDir, queueDir, dataDir, opts.logDir].map((d) => mkdir(d, { recursive: true })));
  const [submissionPort, smtpsPort] = await freePorts(2);

  const senderLoginsFile = path.join(confDir, "sender_logins");
  await writeFile(
    senderLoginsFile,
    Object.entries(opts.senderLogins)
      .map(([sender, logins]) => `${sender} ${logins.join(",")}\n`)
      .join(""),
  );
  await writeFile(
    path.join(confDir, "main.cf"),
    mainCf({ queueDir, dataDir, logDir: opts.logDir, tls: opts.tls, authSocket: opts.authSocket, sinkPort: opts.sinkPort, senderLoginsFile }),
  );
  await writeFile(path.join(confDir, "master.cf"), masterCf(submissionPort, smtpsPort));
  // Postfix waits (up to seconds) for a main.cf changed within the last moments to "settle"; ours is complete.
  const settled = new Date(Date.now() - 60_000);
  await Promise.all(["main.cf", "master.cf"].map((name) => utimes(path.join(confDir, name), settled, settled)));

  await prepareQueue(queueDir, dataDir);

  // The master in the foreground (-d) is this process's child: its pid is known and no postfix-script
  // start/stop round trip (about a second each) is needed. Own process group: master signals its group on exit.
  const child = spawn(MASTER, ["-d", "-c", confDir], { stdio: ["ignore", "ignore", "pipe"], detached: true });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  try {
    await waitForPorts(HOST, [submissionPort, smtpsPort], { what: "postfix", stillRunning: running });
  } catch (error) {
    child.kill("SIGKILL");
    const log = await readFile(path.join(opts.logDir, "postfix.log"), "utf8").catch(() => "");
    throw new Error(`${(error as Error).message}: ${stderr.trim()}\n${log.split("\n").slice(-10).join("\n")}`);
  }

  return {
    confDir,
    submissionPort,
    smtpsPort,
    pid: child.pid!,
    async stop() {
      if (!running()) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const MASTER = "/usr/lib/postfix/sbin/master";

/** The queue folders with the owners and modes postfix insists on (what `postfix set-permissions` makes). */
async function prepareQueue(queueDir: string, dataDir: string): Promise<void> {
  const postfix = systemUser("postfix");
  const postdropGid = systemGroup("postdrop");
  const folders: [string, number, number, number][] = [
    ["active", postfix.uid, 0, 0o700],
    ["bounce", postfix.uid, 0, 0o700],
    ["corrupt", postfix.uid, 0, 0o700],
    ["defer", postfix.uid, 0, 0o700],
    ["deferred", postfix.uid, 0, 0o700],
    ["flush", postfix.uid, 0, 0o700],
    ["hold", postfix.uid, 0, 0o700],
    ["incoming", postfix.uid, 0, 0o700],
    ["private", postfix.uid, 0, 0o700],
    ["saved", postfix.uid, 0, 0o700],
    ["trace", postfix.uid, 0, 0o700],
    ["maildrop", postfix.uid, postdropGid, 0o730],
    ["public", postfix.uid, postdropGid, 0o710],
    ["pid", 0, 0, 0o755],
  ];
  await chmod(queueDir, 0o755);
  await Promise.all(
    folders.map(async ([name, uid, gid, mode]) => {
      const folder = path.join(queueDir, name);
      await mkdir(folder, { recursive: true });
      await chown(folder, uid, gid);
      await chmod(folder, mode);
    }),
  );
  await chown(dataDir, postfix.uid, 0);
  await chmod(dataDir, 0o700);
}

type MainCfInput = {
  queueDir: string;
  dataDir: string;
  logDir: string;
  tls: RigTls;
  authSocket: string;
  sinkPort: number;
  senderLoginsFile: string;
};

function mainCf(c: MainCfInput): string {
  return `# Generated by e2e/rig/mail/postfix.ts for one test rig.
compatibility_level = 3.6
queue_directory = ${c.queueDir}
data_directory = ${c.dataDir}
mail_owner = postfix
setgid_group = postdrop
maillog_file_prefixes = ${c.logDir}
maillog_file = ${path.join(c.logDir, "postfix.log")}

inet_interfaces = ${HOST}
inet_protocols = ipv4
myhostname = smtp.rig.test
mydomain = rig.test
myorigin = rig.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relay_domains =
mynetworks = 127.0.0.0/8
biff = no
smtpd_peername_lookup = no
smtp_host_lookup = native

# Every accepted message goes to the rig's SMTP sink.
relayhost = [${HOST}]:${c.sinkPort}
smtp_tls_security_level = none
default_destination_concurrency_limit = 20

smtpd_tls_cert_file = ${c.tls.certFile}
smtpd_tls_key_file = ${c.tls.keyFile}
smtpd_tls_security_level = encrypt
smtpd_tls_auth_only = yes
smtpd_tls_loglevel = 1

smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = ${c.authSocket}
smtpd_sasl_authenticated_header = yes
smtpd_sender_login_maps = texthash:${c.senderLoginsFile}
smtpd_sender_restrictions = reject_sender_login_mismatch
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
# XOAUTH2 carries a whole JWT on the AUTH line.
line_length_limit = 65536
message_size_limit = 26214400
`;
}

function masterCf(submissionPort: number, smtpsPort: number): string {
  const services = [
    "postlog unix-dgram n - n - 1 postlogd",
    `${HOST}:${submissionPort} inet n - n - - smtpd`,
    `${HOST}:${smtpsPort} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes`,
    "pickup unix n - n 60 1 pickup",
    "cleanup unix n - n - 0 cleanup",
    "qmgr unix n - n 300 1 qmgr",
    "tlsmgr unix - - n 1000? 1 tlsmgr",
    "rewrite unix - - n - - trivial-rewrite",
    "bounce unix - - n - 0 bounce",
    "defer unix - - n - 0 bounce",
    "trace unix - - n - 0 bounce",
    "verify unix - - n - 1 verify",
    "flush unix n - n 1000? 0 flush",
    "proxymap unix - - n - - proxymap",
    "smtp unix - - n - - smtp",
    "relay unix - - n - - smtp",
    "error unix - - n - - error",
    "retry unix - - n - - error",
    "discard unix - - n - - discard",
    "anvil unix - - n - 1 anvil",
    "scache unix - - n - 1 scache",
  ];
  return `# Generated by e2e/rig/mail/postfix.ts (no chroot: the rig's folders live outside the queue).\n${services.join("\n")}\n`;
}
