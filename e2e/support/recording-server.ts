// A plain TCP server on a free loopback port that records every connection and every line it receives, and
// greets like a mail server: to prove what Mailbridge did (or did not) send to a server.
import net from "node:net";

export type RecordingServer = {
  port: number;
  connections: number;
  /** every line received, in order */
  lines: string[];
  stop(): Promise<void>;
};

/** An IMAP-like answer: capabilities, `+` for AUTHENTICATE, then a refusal of whatever credentials came. */
function imapReplies(): (line: string) => string | null {
  let authenticating: string | null = null;
  return (line) => {
    if (authenticating) {
      const tag = authenticating;
      authenticating = null;
      return `${tag} NO [AUTHENTICATIONFAILED] recorded`;
    }
    const [tag, command = ""] = line.split(" ");
    if (/^AUTHENTICATE$/i.test(command) && line.split(" ").length === 3) {
      authenticating = tag;
      return "+ ";
    }
    if (/^CAPABILITY$/i.test(command)) return `* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2\r\n${tag} OK done`;
    if (/^LOGOUT$/i.test(command)) return `* BYE\r\n${tag} OK bye`;
    return tag ? `${tag} NO [AUTHENTICATIONFAILED] recorded` : null;
  };
}

/** `reply` answers each received line (IMAP-like by default); null answers nothing. */
export async function startRecordingServer(
  opts: { greeting?: string; reply?: (line: string) => string | null } = {},
): Promise<RecordingServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    recorder.connections++;
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    socket.write(`${opts.greeting ?? "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2] recorder ready"}\r\n`);
    const reply = opts.reply ?? imapReplies();
    let pending = "";
    socket.on("data", (chunk) => {
      pending += chunk.toString("latin1");
      let end: number;
      while ((end = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, end).replace(/\r$/, "");
        pending = pending.slice(end + 1);
        recorder.lines.push(line);
        const answer = reply(line);
        if (answer !== null) socket.write(`${answer}\r\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const recorder: RecordingServer = {
    port: (server.address() as net.AddressInfo).port,
    connections: 0,
    lines: [],
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return recorder;
}
