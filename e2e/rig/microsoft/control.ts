// Test helpers usable from any test process, through the doubles' control endpoint: switch "Authenticated
// SMTP" on or off for a mailbox of the Exchange SMTP double (answered with 535 5.7.139 while off), and throttle
// a mailbox's requests in Graph batches (429 with Retry-After), make EWS answer a mailbox with ErrorServerBusy.
import { readFileSync } from "node:fs";
import https from "node:https";
import type { RigInfo } from "../info";

type ControlRig = Pick<RigInfo, "graph" | "caFile">;

export async function setSmtpAuthEnabled(rig: ControlRig, mailbox: string, enabled: boolean): Promise<void> {
  await controlCall(rig, "smtp-auth", { mailbox, enabled });
}

/** The mailbox's next `requests` requests inside Graph batches are answered 429 (Retry-After: 1). */
export async function throttleGraphBatch(rig: ControlRig, mailbox: string, requests: number): Promise<void> {
  await controlCall(rig, "graph-throttle", { mailbox, requests });
}

/** The mailbox's next `requests` EWS requests are answered with ErrorServerBusy naming `backOffMs`. */
export async function makeEwsBusy(
  rig: ControlRig,
  mailbox: string,
  requests: number,
  backOffMs: number,
): Promise<void> {
  await controlCall(rig, "ews-busy", { mailbox, requests, backOffMs });
}

async function controlCall(rig: ControlRig, name: string, payload: Record<string, unknown>): Promise<void> {
  const url = new URL(`/rig/control/microsoft/${name}`, rig.graph.baseUrl);
  const body = JSON.stringify(payload);
  const status = await new Promise<number>((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: "POST",
        ca: readFileSync(rig.caFile),
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
  if (status !== 200) throw new Error(`${name} control call answered ${status}`);
}
