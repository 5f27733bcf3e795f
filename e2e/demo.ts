// `npm run demo`: the test rig with seeded mailboxes plus the console pointed at it, for trying the
// product by hand without a Microsoft or Google account.
import path from "node:path";
import { buildIfNeeded } from "../lib/cli/build-if-needed";
import { startConsole } from "./browser/console-server";
import { deliver } from "./rig/mailbox";
import { startRig } from "./rig/index";
import { ensureSystemPackages } from "./system-packages";

const SAMPLES = [
  {
    subject: "Printer on floor 3 is jammed",
    body: "Hi, the printer next to the kitchen shows error E-52. Can someone look?",
  },
  { subject: "VPN password reset", body: "I cannot log in to the VPN since this morning." },
];

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

async function main() {
  ensureSystemPackages();
  const rig = await startRig();
  const info = rig.info;
  for (const mailbox of Object.values(info.mailboxes)) {
    for (const s of SAMPLES) await deliver(info, mailbox, sampleMail(mailbox, s.subject, s.body));
  }
  const root = path.resolve(__dirname, "..");
  buildIfNeeded(root);
  const port = Number(process.env.PORT ?? 3000);
  const server = await startConsole({ port, dataDir: path.join(root, "data", "demo"), caFile: info.caFile });
  const line = (s = "") => console.log(s);
  line();
  line(`Mailbridge demo is running: ${server.url}  (create the first administrator there)`);
  line();
  line("OAuth 2.0 authorization server (Generic OAuth 2.0 preset):");
  line(`  Authorize URL     ${info.auth.authorizeUrl}`);
  line(`  Access Token URL  ${info.auth.tokenUrl}`);
  line(
    `  Microsoft-style   ${info.auth.msBase}/<tenant>/oauth2/v2.0/authorize | token  (Microsoft 365 presets: set the endpoints to these)`,
  );
  for (const [name, c] of Object.entries(info.auth.clients)) {
    line(
      `  client ${name.padEnd(16)} id=${c.clientId}${c.clientSecret ? ` secret=${c.clientSecret}` : ""} auth=${c.tokenEndpointAuthMethod} grants=${c.grantTypes.join(",")}`,
    );
  }
  line("  users (sign in on the consent page):");
  for (const u of Object.values(info.auth.users)) line(`    ${u.username} / ${u.password}`);
  line();
  line("Mail servers (Server Name / IP Address 127.0.0.1):");
  line(
    `  IMAP ${info.imap.port} (STARTTLS)   IMAPS ${info.imap.tlsPort}   POP ${info.pop3.port} (STLS)   POPS ${info.pop3.tlsPort}`,
  );
  line(`  SMTP submission ${info.smtp.submissionPort} (STARTTLS)   SMTPS ${info.smtp.smtpsPort}`);
  line(
    `  Exchange-like: IMAPS ${info.exchange.imapTlsPort}  POPS ${info.exchange.pop3TlsPort}  SMTP ${info.exchange.smtpPort}`,
  );
  line(`  Microsoft Graph base URL ${info.graph.baseUrl}   EWS Connect URL ${info.ews.url}`);
  line(`  mailboxes: ${Object.values(info.mailboxes).join(", ")} (${SAMPLES.length} sample mails each)`);
  line();
  const alice = info.auth.users.alice;
  const client = info.auth.clients.secretPost;
  line("Walk-through: Incoming mail → Add a mailbox");
  line(
    `  Connection Protocol IMAPS · Server Name 127.0.0.1 · Port ${info.imap.tlsPort} · Username and Email Address(es) ${alice.username}`,
  );
  line(`  Provider Generic OAuth 2.0 · Issuer ${info.auth.issuer} → Discover endpoints`);
  line(`  Client ID ${client.clientId} · Client Secret ${client.clientSecret} · Scope "imap offline_access"`);
  line(
    `  Save → sign in as ${alice.username} / ${alice.password} in the popup and approve → "Connected" → Fetch a sample mail`,
  );
  line(
    `  Microsoft 365 preset instead: Tenant organizations, Authorize/Access Token URL ${info.auth.msBase}/organizations/oauth2/v2.0/authorize | token,`,
  );
  line(`  Server 127.0.0.1 port ${info.exchange.imapTlsPort} (Exchange-like IMAPS).`);
  line();
  line("Ctrl-C stops everything.");
  const stop = async () => {
    await server.stop();
    await rig.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
