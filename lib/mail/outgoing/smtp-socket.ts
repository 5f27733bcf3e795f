// Opening the socket an SMTP session runs on: the one place where outgoing SMTP reaches the network, so an
// address policy or a proxy applies to every SMTP connection here. Resolve, connect and (SMTPS) TLS are timed
// as steps; STARTTLS happens later, inside the SMTP dialogue.
import type net from "node:net";
import { openTcp, startTls, type Endpoint } from "@/lib/mail/incoming";
import type { StepRecorder } from "@/lib/mail/steps";

export type SmtpEndpoint = Endpoint & { implicitTls: boolean };

export async function openSmtpSocket(steps: StepRecorder, endpoint: SmtpEndpoint): Promise<net.Socket> {
  const socket = await openTcp(steps, endpoint);
  if (!endpoint.implicitTls) return socket;
  try {
    return await startTls(steps, endpoint, socket);
  } catch (error) {
    socket.destroy();
    throw error;
  }
}
