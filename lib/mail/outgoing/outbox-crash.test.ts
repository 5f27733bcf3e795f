// The outbox survives a kill -9 of the sending process and never sends a message twice: a message whose
// sender died before handing it over is sent by the next process; one whose sender died while the server was
// receiving it (and accepted it) is not sent again but marked for review.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase, type TestDatabase } from "@/e2e/support/test-db";
import { readSink } from "@/e2e/rig/mailbox";
import { db } from "@/lib/db";
import { testRig } from "@/e2e/support/mail-fixtures";
import { uniqueSubject, waitForDelivered } from "@/e2e/support/outgoing-fixtures";

const rig = testRig();
let outgoing: typeof import("./index");
let database: TestDatabase;

/** A loopback relay in front of Postfix's submission port whose behaviour the test switches. */
type Mode = "hold" | "pass" | "swallow-replies-after-bytes";
function startRelay(upstreamPort: number) {
  const state = { mode: "pass" as Mode, swallowAfter: 0, connections: 0, sockets: new Set<net.Socket>() };
  const server = net.createServer((client) => {
    state.connections++;
    state.sockets.add(client);
    client.on("error", () => undefined);
    if (state.mode === "hold") return; // accepted, never answered: the sender waits for the greeting
    const upstream = net.connect(upstreamPort, "127.0.0.1");
    state.sockets.add(upstream);
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    let fromClient = 0;
    const swallow = state.mode === "swallow-replies-after-bytes";
    client.on("data", (chunk) => {
      fromClient += chunk.length;
      upstream.write(chunk);
    });
    // Once the message body is flowing, the server's replies (its 250 "queued as") no longer reach the sender.
    upstream.on("data", (chunk) => {
      if (!(swallow && fromClient > state.swallowAfter)) client.write(chunk);
    });
  });
  return {
    state,
    listen: () =>
      new Promise<number>((resolve) =>
        server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)),
      ),
    close: () => {
      for (const socket of state.sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", path.resolve("lib/mail/outgoing/outbox-worker-child.ts"), "1500"],
    {
      env: {
        ...process.env,
        MAILBRIDGE_DATA_DIR: database.dir,
        MAILBRIDGE_SECRET_KEY: database.secretKey,
        MAILBRIDGE_EXTRA_CA_FILE: rig.caFile,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr!.on("data", (d) => (err += d));
    child.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("ready")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`worker process exited ${code}: ${err}`)));
  });
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.removeAllListeners("exit");
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const relay = startRelay(rig.smtp.submissionPort);
let relayPort = 0;
const children: ChildProcess[] = [];

beforeAll(async () => {
  database = await useTestDatabase();
  outgoing = await import("./index");
  relayPort = await relay.listen();
  const schema = await import("./form-schema");
  const alice = rig.auth.users.alice;
  await outgoing.saveOutgoing(
    schema.outgoingFormSchema.parse({
      protocol: "smtp",
      host: "127.0.0.1",
      port: relayPort,
      authType: "password",
      username: alice.username,
      password: alice.password,
      maxEmailSizeMb: 10,
    }),
    (await db().user.create({ data: { email: "admin@example.test", passwordHash: "x", role: "admin" } })).id,
  );
});

afterAll(async () => {
  await Promise.all(children.map(killHard));
  await relay.close();
});

const row = (id: string) => db().outboxMessage.findUniqueOrThrow({ where: { id } });

describe("the outbox across a kill -9 of the sending process", () => {
  it("a message whose sender died before handing it over is sent once by the next process", async () => {
    const subject = uniqueSubject("crash before submit");
    const { id } = await outgoing.enqueueMail({
      kind: "notice",
      idempotencyKey: subject,
      to: ["customer@example.org"],
      subject,
      text: "exactly once",
    });
    relay.state.mode = "hold";
    const first = await startWorkerProcess();
    children.push(first);
    await until(
      "the first process to connect",
      async () => relay.state.connections > 0 && (await row(id)).state === "sending",
    );
    expect((await row(id)).phase).toBe("connecting");
    await killHard(first);
    relay.state.mode = "pass";
    const second = await startWorkerProcess();
    children.push(second);
    const sent = await until("the message to be sent", async () => {
      const current = await row(id);
      return current.state === "sent" ? current : null;
    });
    expect(sent).toMatchObject({ attempts: 2, needsReview: false });
    expect(sent.queueId).toBeTruthy();
    await waitForDelivered(rig, (m) => m.subject === subject);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await readSink(rig)).filter((m) => m.subject === subject)).toHaveLength(1);
    await killHard(second);
  });

  it("a message the server accepted while its sender died is not sent again, but marked for review", async () => {
    const subject = uniqueSubject("crash during submit");
    const { id } = await outgoing.enqueueMail({
      kind: "notice",
      idempotencyKey: subject,
      to: ["customer@example.org"],
      subject,
      text: "y".repeat(200_000),
    });
    relay.state.mode = "swallow-replies-after-bytes";
    relay.state.swallowAfter = 100_000;
    const first = await startWorkerProcess();
    children.push(first);
    await until("the first process to be submitting", async () => (await row(id)).phase === "submitting");
    // Postfix took the whole message (and relays it to the sink); its reply never reached the sender.
    await waitForDelivered(rig, (m) => m.subject === subject);
    await killHard(first);
    relay.state.mode = "pass";
    const second = await startWorkerProcess();
    children.push(second);
    const reviewed = await until("the message to be marked for review", async () => {
      const current = await row(id);
      return current.needsReview ? current : null;
    });
    expect(reviewed).toMatchObject({ state: "failed", attempts: 1 });
    expect(reviewed.lastError).toMatch(/may have been sent/);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await readSink(rig)).filter((m) => m.subject === subject)).toHaveLength(1);
    await killHard(second);
  });
});
