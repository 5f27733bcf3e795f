// Test helpers: the SASL conversations of IMAP, POP3 and SMTP, spoken over a LineClient, returning what the
// server really answered (including the base64 JSON error challenge of a refused OAuth token).
import { LineClient } from "./line-client";

export type Endpoint = { host: string; port: number; tls: boolean; ca: string };
export type AuthOutcome = { ok: boolean; final: string; errorChallenge?: Record<string, unknown> };

function decodeChallenge(line: string, prefix: string): Record<string, unknown> | undefined {
  const encoded = line.slice(prefix.length).trim();
  if (encoded === "") return undefined;
  return JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as Record<string, unknown>;
}

/** Connects and, on a plain port, upgrades with STARTTLS/STLS first (never authenticates in cleartext). */
export async function openImap(endpoint: Endpoint): Promise<LineClient> {
  const client = await LineClient.connect(endpoint);
  await client.readUntil(/^\* OK/);
  if (!endpoint.tls) {
    client.send("s1 STARTTLS");
    await client.readUntil(/^s1 OK/);
    await client.startTls(endpoint.ca);
  }
  return client;
}

export async function imapAuthenticate(
  client: LineClient,
  mechanism: string,
  initialResponse: string,
): Promise<AuthOutcome> {
  client.send(`a1 AUTHENTICATE ${mechanism} ${initialResponse}`);
  let line = await client.readUntil(/^(a1 |\+)/);
  let errorChallenge: Record<string, unknown> | undefined;
  if (line.startsWith("+")) {
    errorChallenge = decodeChallenge(line, "+");
    client.send("");
    line = await client.readUntil(/^a1 /);
  }
  return { ok: line.startsWith("a1 OK"), final: line, errorChallenge };
}

export async function imapLogin(client: LineClient, user: string, password: string): Promise<AuthOutcome> {
  client.send(`a2 LOGIN "${user}" "${password.replace(/(["\\])/g, "\\$1")}"`);
  const line = await client.readUntil(/^a2 /);
  return { ok: line.startsWith("a2 OK"), final: line };
}

export async function openPop3(endpoint: Endpoint): Promise<LineClient> {
  const client = await LineClient.connect(endpoint);
  await client.readUntil(/^\+OK/);
  if (!endpoint.tls) {
    client.send("STLS");
    await client.readUntil(/^\+OK/);
    await client.startTls(endpoint.ca);
  }
  return client;
}

/** POP3 AUTH; `twoStep` sends the mechanism alone, waits for "+", then the response (what Microsoft requires). */
export async function pop3Authenticate(
  client: LineClient,
  mechanism: string,
  response: string,
  twoStep: boolean,
): Promise<AuthOutcome> {
  if (twoStep) {
    client.send(`AUTH ${mechanism}`);
    const go = await client.readLine();
    if (!go.startsWith("+")) return { ok: false, final: go };
    client.send(response);
  } else {
    client.send(`AUTH ${mechanism} ${response}`);
  }
  let line = await client.readUntil(/^(\+|-ERR)/);
  let errorChallenge: Record<string, unknown> | undefined;
  if (line.startsWith("+ ") && !line.startsWith("+OK")) {
    errorChallenge = decodeChallenge(line, "+ ");
    client.send("");
    line = await client.readUntil(/^(\+OK|-ERR)/);
  }
  return { ok: line.startsWith("+OK"), final: line, errorChallenge };
}

export async function pop3UserPass(client: LineClient, user: string, password: string): Promise<AuthOutcome> {
  client.send(`USER ${user}`);
  await client.readUntil(/^(\+OK|-ERR)/);
  client.send(`PASS ${password}`);
  const line = await client.readUntil(/^(\+OK|-ERR)/);
  return { ok: line.startsWith("+OK"), final: line };
}

async function smtpReply(client: LineClient): Promise<string> {
  // multi-line replies: "250-..." continue, "250 ..." ends
  for (;;) {
    const line = await client.readLine();
    if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) return line;
  }
}

export async function openSmtp(endpoint: Endpoint): Promise<{ client: LineClient; ehlo: string[] }> {
  const client = await LineClient.connect(endpoint);
  await smtpReply(client);
  const ehlo = async () => {
    const start = client.transcript.length;
    client.send("EHLO client.rig.test");
    await smtpReply(client);
    return client.transcript.slice(start).map((line) => line.slice(4));
  };
  let capabilities = await ehlo();
  if (!endpoint.tls) {
    client.send("STARTTLS");
    const ready = await smtpReply(client);
    if (!ready.startsWith("220")) throw new Error(`STARTTLS refused: ${ready}`);
    await client.startTls(endpoint.ca);
    capabilities = await ehlo();
  }
  return { client, ehlo: capabilities };
}

export async function smtpAuthenticate(
  client: LineClient,
  mechanism: string,
  initialResponse: string,
): Promise<AuthOutcome> {
  client.send(`AUTH ${mechanism} ${initialResponse}`);
  let line = await smtpReply(client);
  let errorChallenge: Record<string, unknown> | undefined;
  if (line.startsWith("334")) {
    errorChallenge = decodeChallenge(line, "334");
    client.send("");
    line = await smtpReply(client);
  }
  return { ok: line.startsWith("235"), final: line, errorChallenge };
}

export async function smtpCommand(client: LineClient, line: string): Promise<string> {
  client.send(line);
  return smtpReply(client);
}
