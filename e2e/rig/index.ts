// startRig(): the whole test rig — TLS material, the authorization server, Dovecot, Postfix with its SMTP sink,
// and the Microsoft doubles — started together, described in one JSON file (rigInfoPath()) for every process
// of a test run, and stopped by pid. A persistent rig (the demo) keeps its folder when it stops, and starts
// again from it with the same ports, passwords, keys, grants and mail.
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { startAuthServer } from "./auth-server";
import { rigInfoPath, type RigInfo } from "./info";
import { startMailServers } from "./mail";
import type { RigPorts } from "./ports";
import { removeAllButLogs } from "./rig-dir";
import { startMicrosoftDoubles } from "./microsoft";
import { ensureRigTls } from "./tls";

export const RIG_DOMAIN = "rig.test";
const MAILBOXES = { alice: `alice@${RIG_DOMAIN}`, bob: `bob@${RIG_DOMAIN}`, shared: `shared@${RIG_DOMAIN}` };
/** mailbox → users who may open it and send as it (alice is a delegate of the shared mailbox, bob is not) */
const DELEGATES = { [MAILBOXES.shared]: [MAILBOXES.alice] };

export type Rig = { info: RigInfo; stop(): Promise<void> };

export type RigOptions = {
  dir?: string;
  /** fixed ports (free ones when omitted) */
  ports?: RigPorts;
  /** keep the folder's state on stop and reuse it on the next start */
  persistent?: boolean;
  /** where the rig info is written (default rigInfoPath()) */
  infoFile?: string;
};

export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const dir = path.resolve(opts.dir ?? path.join("test-results", `rig-${process.pid}`));
  const logDir = path.join(dir, "logs");
  await mkdir(logDir, { recursive: true });
  const started: { stop(): Promise<void> }[] = [];
  const stopStarted = () => Promise.allSettled([...started].reverse().map((handle) => handle.stop()));

  try {
    const [tls, auth] = await Promise.all([
      ensureRigTls(dir),
      startAuthServer({
        dir: path.join(dir, "auth"),
        logDir,
        port: opts.ports?.auth,
        persistent: opts.persistent,
      }).then((handle) => (started.push(handle), handle)),
    ]);
    const mail = await startMailServers({
      dir: path.join(dir, "mail"),
      logDir,
      tls,
      introspectionUrl: `${auth.info.issuer}/rig/introspect/mail`,
      users: Object.values(auth.info.users),
      delegates: DELEGATES,
      ports: opts.ports && {
        dovecot: [opts.ports.imap, opts.ports.imaps, opts.ports.pop3, opts.ports.pop3s],
        postfix: [opts.ports.submission, opts.ports.smtps],
      },
    });
    started.push(mail);
    const dovecot = mail.dovecot;
    const microsoft = await startMicrosoftDoubles({
      dir: path.join(dir, "microsoft"),
      logDir,
      tls: { key: tls.keyPem, cert: tls.certPem },
      introspect: auth.introspect,
      dovecotConf: dovecot.conf,
      imap: dovecot.imap,
      pop3: dovecot.pop3,
      smtp: { host: "127.0.0.1", submissionPort: mail.postfix.submissionPort },
      // mail sent through the Exchange-like SMTP, Graph or EWS lands beside what Postfix relayed
      sinkDir: mail.sink.sinkDir,
      ports: opts.ports && [
        opts.ports.exchangePop3s,
        opts.ports.exchangeImaps,
        opts.ports.exchangeSmtp,
        opts.ports.graph,
        opts.ports.ews,
        opts.ports.exchangePop3sNoTop,
      ],
    });
    started.push(microsoft);

    const info: RigInfo = {
      dir,
      logDir,
      caFile: tls.caFile,
      auth: auth.info,
      mailboxes: { ...MAILBOXES },
      imap: dovecot.imap,
      pop3: dovecot.pop3,
      smtp: {
        host: "127.0.0.1",
        submissionPort: mail.postfix.submissionPort,
        smtpsPort: mail.postfix.smtpsPort,
        sinkDir: mail.sink.sinkDir,
      },
      exchange: microsoft.exchange,
      graph: microsoft.graph,
      ews: microsoft.ews,
      dovecotConf: dovecot.conf,
      postfixConfDir: mail.postfix.confDir,
      pids: mail.pids,
      ownerPid: process.pid,
    };
    const infoFile = opts.infoFile ?? rigInfoPath();
    await mkdir(path.dirname(infoFile), { recursive: true });
    await writeFile(infoFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });

    // If this process dies without stop(), do not leave Dovecot and Postfix running.
    const killOnExit = () => killPids(info.pids, "SIGKILL");
    process.once("exit", killOnExit);

    let stopping: Promise<void> | undefined;
    return {
      info,
      stop() {
        stopping ??= (async () => {
          process.off("exit", killOnExit);
          await stopStarted();
          await removeInfoFileIfOurs(infoFile, dir);
          if (!opts.persistent) await removeAllButLogs(dir);
        })();
        return stopping;
      },
    };
  } catch (error) {
    await stopStarted();
    throw new Error(`the test rig did not start (logs kept in ${logDir}): ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export function killPids(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

async function removeInfoFileIfOurs(infoFile: string, dir: string): Promise<void> {
  if (!existsSync(infoFile)) return;
  try {
    const written = JSON.parse(readFileSync(infoFile, "utf8")) as Partial<RigInfo>;
    if (written.dir === dir) await rm(infoFile, { force: true });
  } catch {
    // not a rig file we can read: leave it
  }
}
