// A private Dovecot instance for the rig: IMAP (STARTTLS) + IMAPS, POP3 (STLS) + POP3S on free loopback ports,
// XOAUTH2/OAUTHBEARER checked by introspection at the rig's authorization server, PLAIN/LOGIN against a
// passwd-file, and an auth socket Postfix uses for SMTP AUTH. Everything (config, sockets, state, mail, log)
// lives under opts.dir, so it never touches the system Dovecot and several rigs can run side by side.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { chown, mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { RigUser } from "../info";
import { portsOr, waitForPorts } from "../ports";
import { systemUser } from "../system-user";
import type { RigTls } from "../tls";
import { superviseServer } from "../server-process";

export type DovecotOptions = {
  dir: string;
  logDir: string;
  tls: RigTls;
  /** `${issuer}/rig/introspect/mail` */
  introspectionUrl: string;
  /** every mailbox login with its password (also used for PLAIN/LOGIN) */
  users: RigUser[];
  /** IMAP, IMAPS, POP3, POP3S (free ports when omitted) */
  ports?: [number, number, number, number];
};

export type DovecotHandle = {
  conf: string;
  imap: { host: string; port: number; tlsPort: number };
  pop3: { host: string; port: number; tlsPort: number };
  /** unix socket speaking the Dovecot SASL protocol, for Postfix's smtpd_sasl_path */
  authSocket: string;
  pid: number;
  stop(): Promise<void>;
};

const HOST = "127.0.0.1";
const MAIL_OWNER = "dovecot";

export async function startDovecot(opts: DovecotOptions): Promise<DovecotHandle> {
  const baseDir = path.join(opts.dir, "run");
  const stateDir = path.join(opts.dir, "state");
  const mailDir = path.join(opts.dir, "mail");
  await Promise.all([baseDir, stateDir, mailDir, opts.logDir].map((d) => mkdir(d, { recursive: true })));
  const owner = systemUser(MAIL_OWNER);
  await chown(mailDir, owner.uid, owner.gid);

  const [imapPort, imapsPort, pop3Port, pop3sPort] = await portsOr(opts.ports, 4);
  const conf = path.join(opts.dir, "dovecot.conf");
  const passwdFile = path.join(opts.dir, "users.passwd");
  const authSocketName = "auth-postfix";

  // Dovecot 2.3 does not expand variables in introspection_url, so it cannot tell the introspection endpoint
  // which mailbox the client logs in to. One oauth2 passdb per mailbox (selected by username_filter) with
  // ?user=<that mailbox> in its URL does: the endpoint then answers username = the mailbox when the token's
  // user may open it (own mailbox, delegate of a shared mailbox, app-only token), and Dovecot compares.
  const oauth2Passdbs = opts.users.map((user) => {
    const login = user.username.toLowerCase();
    const url = new URL(opts.introspectionUrl);
    url.searchParams.set("user", login);
    return {
      login,
      argsFile: path.join(opts.dir, `oauth2-${login.replace(/[^a-z0-9]+/g, "-")}.conf.ext`),
      url: url.toString(),
    };
  });

  // Read by Dovecot's auth processes, which run as the dovecot user.
  const privateFiles: [string, string][] = [
    [passwdFile, passwdFileText(opts.users, mailDir, owner)],
    ...oauth2Passdbs.map((p): [string, string] => [p.argsFile, oauth2ConfText(p.url, opts.tls.caFile)]),
  ];
  await Promise.all(
    privateFiles.map(async ([file, text]) => {
      await writeFile(file, text, { mode: 0o600 });
      await chown(file, owner.uid, owner.gid);
    }),
  );
  await writeFile(
    conf,
    dovecotConfText({
      // shown in process titles; unique per rig folder
      instanceName: `mailbridge-rig-${createHash("sha256").update(opts.dir).digest("hex").slice(0, 8)}`,
      baseDir,
      stateDir,
      logFile: path.join(opts.logDir, "dovecot.log"),
      tls: opts.tls,
      ports: { imapPort, imapsPort, pop3Port, pop3sPort },
      passwdFile,
      oauth2Passdbs,
      authSocketName,
    }),
  );

  await removeStalePidFile(path.join(baseDir, "master.pid"));
  // -F keeps the master in the foreground so this process owns its pid and can stop it.
  const child = spawn("dovecot", ["-F", "-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  const server = superviseServer(child);
  try {
    await waitForPorts(HOST, [imapPort, imapsPort, pop3Port, pop3sPort], {
      what: "dovecot",
      stillRunning: server.running,
    });
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(
      `${(error as Error).message}: ${server.stderr().trim()} (log: ${path.join(opts.logDir, "dovecot.log")})`,
    );
  }

  return {
    conf,
    imap: { host: HOST, port: imapPort, tlsPort: imapsPort },
    pop3: { host: HOST, port: pop3Port, tlsPort: pop3sPort },
    authSocket: path.join(baseDir, authSocketName),
    pid: child.pid!,
    stop: server.stop,
  };
}

/**
 * The pid file of a Dovecot killed with its rig (a persistent rig's folder outlives it): Dovecot refuses to
 * start while the process it names exists, even as an unreaped zombie.
 */
async function removeStalePidFile(pidFile: string): Promise<void> {
  let pid: string;
  try {
    pid = readFileSync(pidFile, "utf8").trim();
  } catch {
    return;
  }
  let command = "";
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    // gone
  }
  if (!command.includes("dovecot")) await rm(pidFile, { force: true });
}

function passwdFileText(users: RigUser[], mailDir: string, owner: { uid: number; gid: number }): string {
  // PLAIN.b64 so any character of a generated password survives the colon-separated format.
  return users
    .map((user) => {
      const [local, domain] = user.username.toLowerCase().split("@");
      const home = path.join(mailDir, domain ?? "local", local);
      const password = Buffer.from(user.password, "utf8").toString("base64");
      return `${user.username.toLowerCase()}:{PLAIN.b64}${password}:${owner.uid}:${owner.gid}::${home}::\n`;
    })
    .join("");
}

function oauth2ConfText(introspectionUrl: string, caFile: string): string {
  return [
    "introspection_mode = post",
    `introspection_url = ${introspectionUrl}`,
    "username_attribute = username",
    "active_attribute = active",
    "active_value = true",
    `tls_ca_cert_file = ${caFile}`,
    "",
  ].join("\n");
}

type ConfInput = {
  instanceName: string;
  baseDir: string;
  stateDir: string;
  logFile: string;
  tls: RigTls;
  ports: { imapPort: number; imapsPort: number; pop3Port: number; pop3sPort: number };
  passwdFile: string;
  oauth2Passdbs: { login: string; argsFile: string }[];
  authSocketName: string;
};

function dovecotConfText(c: ConfInput): string {
  return `# Generated by e2e/rig/mail/dovecot.ts for one test rig.
instance_name = ${c.instanceName}
base_dir = ${c.baseDir}
state_dir = ${c.stateDir}
protocols = imap pop3
listen = ${HOST}
log_path = ${c.logFile}
auth_verbose = yes
auth_debug = yes
# Login processes must not run as root.
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
# Rig tests fail logins on purpose; keep them fast (whole seconds only, 0 = no extra delay).
auth_failure_delay = 0
mail_max_userip_connections = 100

ssl = yes
ssl_cert = <${c.tls.certFile}
ssl_key = <${c.tls.keyFile}
ssl_min_protocol = TLSv1.2

auth_mechanisms = plain login xoauth2 oauthbearer
mail_location = maildir:~/Maildir
pop3_uidl_format = %08Xu%08Xv

namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
}

service imap-login {
  inet_listener imap {
    address = ${HOST}
    port = ${c.ports.imapPort}
  }
  inet_listener imaps {
    address = ${HOST}
    port = ${c.ports.imapsPort}
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = ${HOST}
    port = ${c.ports.pop3Port}
  }
  inet_listener pop3s {
    address = ${HOST}
    port = ${c.ports.pop3sPort}
    ssl = yes
  }
}
service auth {
  unix_listener ${c.authSocketName} {
    mode = 0666
  }
}
# Without this socket Dovecot has no auth penalty: failed logins from 127.0.0.1 would otherwise slow
# every later login of the test run by up to 15 s.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}

passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%Lu ${c.passwdFile}
}
${c.oauth2Passdbs
  .map(
    (p) => `passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  username_filter = ${p.login}
  args = ${p.argsFile}
}
`,
  )
  .join("")}userdb {
  driver = passwd-file
  args = username_format=%Lu ${c.passwdFile}
}
`;
}
