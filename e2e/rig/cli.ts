// `tsx e2e/rig/cli.ts start [dir]` runs the test rig in the foreground and prints what a person types into the
// console under test; Ctrl-C (or SIGTERM) stops it. `tsx e2e/rig/cli.ts stop` stops the rig described by
// rigInfoPath() (MAILBRIDGE_RIG_INFO or test-results/rig.json) from another terminal.
// The printed secrets are throw-away credentials of this local rig only.
import { existsSync } from "node:fs";
import { startRig, killPids } from "./index";
import { rigInfo, rigInfoPath, type RigInfo } from "./info";

function describeRig(info: RigInfo): string {
  const lines: string[] = [];
  const section = (title: string) => lines.push("", title);
  const row = (label: string, value: string | number) => lines.push(`  ${label.padEnd(28)} ${value}`);

  section("Mail servers (host 127.0.0.1; TLS certificates signed by the rig CA)");
  row("CA certificate", info.caFile);
  row("IMAP (STARTTLS) / IMAPS", `${info.imap.port} / ${info.imap.tlsPort}`);
  row("POP (STLS) / POPS", `${info.pop3.port} / ${info.pop3.tlsPort}`);
  row("SMTP submission (STARTTLS)", info.smtp.submissionPort);
  row("SMTPS (implicit TLS)", info.smtp.smtpsPort);
  row("Sent mail lands in", info.smtp.sinkDir);
  row(
    "Exchange-like IMAPS / POPS / POPS without TOP",
    `${info.exchange.imapTlsPort} / ${info.exchange.pop3TlsPort} / ${info.exchange.pop3NoTopTlsPort}`,
  );
  row("Exchange-like SMTP", info.exchange.smtpPort);
  row("Graph base URL", info.graph.baseUrl);
  row("EWS URL", info.ews.url);

  section("Authorization server");
  row("Issuer", info.auth.issuer);
  row("Authorize URL", info.auth.authorizeUrl);
  row("Access Token URL", info.auth.tokenUrl);
  row("Microsoft-style base", `${info.auth.msBase}/{tenant}/oauth2/v2.0/authorize|token`);
  row("Google-style authorize", info.auth.googleAuthorizeUrl);
  row("Google-style token", info.auth.googleTokenUrl);

  section("Users (mailbox / password)");
  for (const user of Object.values(info.auth.users)) row(user.username, user.password);
  row("shared mailbox", `${info.mailboxes.shared} (alice is a delegate, bob is not)`);

  section("OAuth clients");
  for (const [name, client] of Object.entries(info.auth.clients)) {
    row(name, `client id ${client.clientId}`);
    if (client.clientSecret) row("", `client secret ${client.clientSecret}`);
    if (client.keyId) row("", `key id ${client.keyId} (private key in the rig info file)`);
    row("", `auth ${client.tokenEndpointAuthMethod}; grants ${client.grantTypes.join(", ")}`);
    if (client.redirectUris.length > 0) row("", `redirect URIs ${client.redirectUris.join(" ")}`);
  }
  row("Google service account", info.auth.serviceAccount.clientEmail);

  section("Rig");
  row("Info file", rigInfoPath());
  row("Logs", info.logDir);
  row("doveadm", `doveadm -c ${info.dovecotConf} ...`);
  return lines.join("\n");
}

async function start(dir: string | undefined): Promise<void> {
  const startedAt = Date.now();
  const rig = await startRig({ dir });
  console.log(describeRig(rig.info));
  console.log(`\nRig up in ${Date.now() - startedAt} ms. Press Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  console.log("Stopping the rig...");
  await rig.stop();
  console.log("Rig stopped; logs kept in", rig.info.logDir);
}

async function stop(): Promise<void> {
  if (!existsSync(rigInfoPath())) {
    console.log(`No rig info at ${rigInfoPath()}: nothing to stop.`);
    return;
  }
  const info = rigInfo();
  // The owner cleans up after itself on SIGTERM; the servers are signalled too in case it is gone.
  const targets = [info.ownerPid, ...info.pids].filter((pid) => pid !== process.pid);
  killPids(targets, "SIGTERM");
  const deadline = Date.now() + 5000;
  while (targets.some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const survivors = targets.filter(isAlive);
  killPids(survivors, "SIGKILL");
  console.log(`Stopped the rig in ${info.dir}${survivors.length > 0 ? ` (killed ${survivors.join(", ")})` : ""}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const [command, dir] = process.argv.slice(2);
const run = command === "start" ? start(dir) : command === "stop" ? stop() : undefined;
if (!run) {
  console.error("usage: tsx e2e/rig/cli.ts start [dir] | stop");
  process.exitCode = 2;
} else {
  run.then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
