// Fills the bench console's database (run as a child process with the console's environment, after the
// console has migrated it): one admin, mailboxes, many fetch runs and requests (the ids of one request and one
// other mail go to the targets file, for the detail pages); then an optional hook module
// (`--seed-hook path.ts`, default export `(db) => Promise<void>`) for data other parts of the product add.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { writeFileSync } from "node:fs";
import { db } from "@/lib/db";
import { createFirstAdmin } from "@/lib/users";
import { seedRequests } from "./seed-requests";

const MAILBOXES = 20;
const BATCH = 2000;

async function main() {
  const [email, password, runsText, requestsText, targetsFile, hook] = process.argv.slice(2);
  const runs = Number(runsText);
  await createFirstAdmin({ name: "Bench Admin", email, password });
  const mailboxes: { id: string }[] = [];
  for (let i = 0; i < MAILBOXES; i++) {
    mailboxes.push(
      await db().incomingMailbox.create({
        data: {
          name: `Bench mailbox ${i}`,
          protocol: "imaps",
          authType: "password",
          host: "127.0.0.1",
          port: 993,
          username: `user${i}@bench.test`,
          status: i % 5 === 0 ? "failing" : "ok",
        },
      }),
    );
  }
  const start = Date.now() - runs * 60_000;
  for (let done = 0; done < runs; done += BATCH) {
    const data = Array.from({ length: Math.min(BATCH, runs - done) }, (_, j) => {
      const n = done + j;
      const startedAt = new Date(start + n * 60_000);
      return {
        mailboxId: mailboxes[n % MAILBOXES].id,
        kind: n % 10 === 0 ? "sample" : "fetch",
        startedAt,
        finishedAt: new Date(startedAt.getTime() + 1500),
        ok: n % 7 !== 0,
        steps: JSON.stringify([
          { name: "connect", ms: 40, ok: true },
          { name: "authenticate", ms: 80, ok: n % 7 !== 0 },
        ]),
        error: n % 7 === 0 ? "Authentication failed" : null,
        mailsFetched: n % 3,
      };
    });
    await db().fetchRun.createMany({ data });
  }
  const seeded = await seedRequests(
    db(),
    mailboxes.map((m) => m.id),
    Number(requestsText),
  );
  writeFileSync(targetsFile, JSON.stringify(seeded));
  if (hook) {
    const seedHook = (await import(pathToFileURL(path.resolve(hook)).href)) as {
      default: (database: ReturnType<typeof db>) => Promise<void>;
    };
    await seedHook.default(db());
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
