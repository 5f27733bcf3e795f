// The rig's mail servers as one unit: Dovecot (IMAP/POP3 + SASL), the SMTP sink, and Postfix relaying to it.
import path from "node:path";
import type { RigUser } from "../info";
import type { RigTls } from "../tls";
import { startDovecot, type DovecotHandle } from "./dovecot";
import { startPostfix, type PostfixHandle } from "./postfix";
import { startSmtpSink, type SmtpSinkHandle } from "./smtp-sink";

export type MailServersOptions = {
  dir: string;
  logDir: string;
  tls: RigTls;
  introspectionUrl: string;
  users: RigUser[];
  /** mailbox address → logins that may act for it (open it, send as it) */
  delegates: Record<string, string[]>;
  ports?: { dovecot: [number, number, number, number]; postfix: [number, number] };
};

export type MailServers = {
  dovecot: DovecotHandle;
  postfix: PostfixHandle;
  sink: SmtpSinkHandle;
  pids: number[];
  stop(): Promise<void>;
};

export async function startMailServers(opts: MailServersOptions): Promise<MailServers> {
  const started: { stop(): Promise<void> }[] = [];
  try {
    const [dovecot, sink] = await Promise.all([
      startDovecot({
        dir: path.join(opts.dir, "dovecot"),
        logDir: opts.logDir,
        tls: opts.tls,
        introspectionUrl: opts.introspectionUrl,
        users: opts.users,
        ports: opts.ports?.dovecot,
      }).then((handle) => (started.push(handle), handle)),
      startSmtpSink({ sinkDir: path.join(opts.dir, "sink") }).then((handle) => (started.push(handle), handle)),
    ]);
    const postfix = await startPostfix({
      dir: path.join(opts.dir, "postfix"),
      logDir: opts.logDir,
      tls: opts.tls,
      authSocket: dovecot.authSocket,
      sinkPort: sink.port,
      senderLogins: senderLogins(opts.users, opts.delegates),
      ports: opts.ports?.postfix,
    });
    started.push(postfix);
    return {
      dovecot,
      postfix,
      sink,
      pids: [dovecot.pid, postfix.pid],
      stop: () => stopAll(started),
    };
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}

async function stopAll(handles: { stop(): Promise<void> }[]): Promise<void> {
  await Promise.allSettled([...handles].reverse().map((handle) => handle.stop()));
}

function senderLogins(users: RigUser[], delegates: Record<string, string[]>): Record<string, string[]> {
  const owners: Record<string, string[]> = {};
  for (const user of users) owners[user.username.toLowerCase()] = [user.username.toLowerCase()];
  for (const [mailbox, logins] of Object.entries(delegates)) {
    const key = mailbox.toLowerCase();
    owners[key] = [...(owners[key] ?? [key]), ...logins.map((login) => login.toLowerCase())];
  }
  return owners;
}
