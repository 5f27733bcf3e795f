// `npm run demo`: the test rig with seeded mailboxes plus the console pointed at it, for trying the
// product by hand without a Microsoft or Google account. Everything lives under ./data/demo (or
// MAILBRIDGE_DEMO_DIR) on fixed ports from MAILBRIDGE_DEMO_PORT (default 3000: the console, then the rig's
// servers), so a restart keeps the administrator, the saved mailboxes and their grants working.
import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { buildIfNeeded } from "../lib/cli/build-if-needed";
import { startConsole } from "./browser/console-server";
import type { RigInfo } from "./rig/info";
import { deliver } from "./rig/mailbox";
import { startRig } from "./rig/index";
import { clearLeftoverRig, killLeftovers } from "./rig/leftovers";
import { consecutiveRigPorts } from "./rig/ports";
import { ensureSystemPackages } from "./system-packages";

const SAMPLES = [
  {
    subject: "Printer on floor 3 is jammed",
    body: "Hi, the printer next to the kitchen shows error E-52. Can someone look?",
  },
  { subject: "VPN password reset", body: "I cannot log in to the VPN since this morning." },
];
const SCOPE = "imap offline_access";

function sampleMail(to: string, subject: string, body: string): string {
  return [
    `From: Dana Requester <dana@customer.example>`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${Math.random().toString(36).slice(2)}@customer.example>`,
    `MIME-Version: 1.0`,
    `Content-Type: text/plain; charset=utf-8`,
    ``,
    body,
    ``,
  ].join("\r\n");
}

/**
 * The rig's client as an application of the console, created through the console's own services. Not a
 * synchronous child: the authorization server it discovers runs in this process.
 */
async function storeApplication(root: string, consoleDir: string, info: RigInfo): Promise<string> {
  const client = info.auth.clients.secretPost;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      "--conditions=react-server",
      "--import",
      "tsx",
      path.join(root, "e2e/support/seed-demo-application.ts"),
      info.auth.issuer,
      client.clientId,
      client.clientSecret ?? "",
      SCOPE,
    ],
    {
      cwd: root,
      encoding: "utf8",
      env: {
        ...process.env,
        MAILBRIDGE_DATA_DIR: consoleDir,
        DATABASE_URL: "",
        MAILBRIDGE_SECRET_KEY: "",
        MAILBRIDGE_OUTBOUND_NETWORKS: "loopback",
        MAILBRIDGE_EXTRA_CA_FILE: info.caFile,
      },
    },
  );
  return stdout.trim().split("\n").pop() ?? "";
}

function walkThrough(url: string, dataDir: string, info: RigInfo, application: string): string[] {
  const [alice, bob] = [info.auth.users.alice, info.auth.users.bob];
  const { imap, pop3, smtp, exchange } = info;
  return [
    `Mailbridge demo: ${url}   (state in ${dataDir}; Ctrl-C stops, npm run demo resumes)`,
    "",
    "1. Open it and create the first administrator.",
    "2. Incoming mail → Add a mailbox:",
    `     Email Address(es)    ${alice.username}`,
    `     Connection Protocol  IMAPS   Server Name 127.0.0.1   Port ${imap.tlsPort}`,
    `     OAuth application    ${application}`,
    `   Save → in the popup sign in as ${alice.username} / ${alice.password} and Approve → "Connected".`,
    '3. "Fetch a sample mail" shows one of the sample mails in the inbox.',
    "",
    `Mailboxes: ${Object.values(info.mailboxes).join(", ")} (shared: alice is a delegate)`,
    `  ${bob.username} / ${bob.password}`,
    `Servers on 127.0.0.1: IMAP ${imap.port} (STARTTLS)  IMAPS ${imap.tlsPort}  POP ${pop3.port} (STLS)  POPS ${pop3.tlsPort}`,
    `  SMTP ${smtp.submissionPort} (STARTTLS)  SMTPS ${smtp.smtpsPort}   TLS CA ${info.caFile}`,
    `  Exchange-like IMAPS ${exchange.imapTlsPort}  POPS ${exchange.pop3TlsPort}  SMTP ${exchange.smtpPort}`,
    `  Graph ${info.graph.baseUrl}   EWS ${info.ews.url}`,
    `OAuth issuer ${info.auth.issuer} (Microsoft-style: ${info.auth.msBase}/<tenant>/oauth2/v2.0/…)`,
    `Every client, secret and key of the rig: ${path.join(dataDir, "rig.json")}`,
  ];
}

async function main() {
  ensureSystemPackages();
  const root = path.resolve(__dirname, "..");
  const dataDir = path.resolve(process.env.MAILBRIDGE_DEMO_DIR ?? path.join(root, "data", "demo"));
  const port = Number(process.env.MAILBRIDGE_DEMO_PORT ?? process.env.PORT ?? 3000);
  const infoFile = path.join(dataDir, "rig.json");
  await clearLeftoverRig(infoFile);
  // the console of a demo that was killed outlives it
  const consolePidFile = path.join(dataDir, "console.pid");
  if (existsSync(consolePidFile))
    await killLeftovers([Number(readFileSync(consolePidFile, "utf8"))], /lib\/cli\/start/);
  const rig = await startRig({
    dir: path.join(dataDir, "rig"),
    ports: consecutiveRigPorts(port + 1),
    persistent: true,
    infoFile,
  });
  try {
    await runConsole(root, dataDir, port, rig.info, rig.stop, consolePidFile);
  } catch (error) {
    await rig.stop();
    throw error;
  }
}

async function runConsole(
  root: string,
  dataDir: string,
  port: number,
  info: RigInfo,
  stopRig: () => Promise<void>,
  pidFile: string,
) {
  const seededMarker = path.join(info.dir, "samples-delivered");
  if (!existsSync(seededMarker)) {
    for (const mailbox of Object.values(info.mailboxes)) {
      for (const s of SAMPLES) await deliver(info, mailbox, sampleMail(mailbox, s.subject, s.body));
    }
    writeFileSync(seededMarker, `${new Date().toISOString()}\n`);
  }
  buildIfNeeded(root);
  const consoleDir = path.join(dataDir, "console");
  const server = await startConsole({
    port,
    dataDir: consoleDir,
    keepData: true,
    caFile: info.caFile,
    logFile: path.join(info.logDir, "console.log"),
  });
  writeFileSync(pidFile, `${server.process.pid}\n`);
  let application: string;
  try {
    application = await storeApplication(root, consoleDir, info);
  } catch (error) {
    await server.stop();
    rmSync(pidFile, { force: true });
    throw error;
  }
  const stop = async () => {
    await server.stop();
    rmSync(pidFile, { force: true });
    await stopRig();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  console.log(walkThrough(server.url, dataDir, info, application).join("\n"));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
