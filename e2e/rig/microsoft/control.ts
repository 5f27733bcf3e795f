// Test helper usable from any test process: switches "Authenticated SMTP" on or off for a mailbox of the
// Exchange SMTP double (answered with 535 5.7.139 while off), through the doubles' control endpoint.
import { readFileSync } from "node:fs";
import https from "node:https";
import type { RigInfo } from "../info";

export async function setSmtpAuthEnabled(
  rig: Pick<RigInfo, "graph" | "caFile">,
  mailbox: string,
  enabled: boolean,
): Promise<void> {
  const url = new URL("/rig/control/microsoft/smtp-auth", rig.graph.baseUrl);
  const body = JSON.stringify({ mailbox, enabled });
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
  if (status !== 200) throw new Error(`smtp-auth control call answered ${status}`);
}
