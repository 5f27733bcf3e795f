// The end of the rig's mail path: a minimal SMTP server on loopback that Postfix relays every accepted
// message to. Each message is written to sinkDir as <n>.eml with its envelope beside it in <n>.json.
import { mkdir, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

export type SinkEnvelope = { from: string; to: string[]; receivedAt: string };

export type SmtpSinkHandle = { port: number; sinkDir: string; stop(): Promise<void> };

export async function startSmtpSink(opts: { sinkDir: string }): Promise<SmtpSinkHandle> {
  await mkdir(opts.sinkDir, { recursive: true });
  let sequence = 0;
  const sockets = new Set<net.Socket>();

  const store = async (envelope: SinkEnvelope, message: Buffer) => {
    sequence += 1;
    const name = `${Date.now()}-${process.pid}-${String(sequence).padStart(5, "0")}`;
    await writeFile(path.join(opts.sinkDir, `${name}.json`), JSON.stringify(envelope, null, 2));
    // The .eml is written last: readers treat its presence as "message complete".
    await writeFile(path.join(opts.sinkDir, `${name}.eml`), message);
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    serveSession(socket, store);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });

  return {
    port: (server.address() as net.AddressInfo).port,
    sinkDir: opts.sinkDir,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serveSession(socket: net.Socket, store: (envelope: SinkEnvelope, message: Buffer) => Promise<void>) {
  let buffer = Buffer.alloc(0);
  let inData = false;
  let from: string | null = null;
  let to: string[] = [];
  const reply = (line: string) => socket.write(`${line}\r\n`);

  const command = (line: string) => {
    const verb = line.slice(0, 4).toUpperCase();
    if (verb === "EHLO") {
      socket.write("250-sink.rig.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 52428800\r\n");
    } else if (verb === "HELO") {
      reply("250 sink.rig.test");
    } else if (verb === "MAIL") {
      from = addressIn(line);
      to = [];
      reply("250 2.1.0 Ok");
    } else if (verb === "RCPT") {
      if (from === null) return reply("503 5.5.1 Error: need MAIL command");
      to.push(addressIn(line));
      reply("250 2.1.5 Ok");
    } else if (verb === "DATA") {
      if (from === null || to.length === 0) return reply("503 5.5.1 Error: need RCPT command");
      inData = true;
      reply("354 End data with <CR><LF>.<CR><LF>");
    } else if (verb === "RSET") {
      from = null;
      to = [];
      reply("250 2.0.0 Ok");
    } else if (verb === "NOOP") {
      reply("250 2.0.0 Ok");
    } else if (verb === "QUIT") {
      socket.end("221 2.0.0 Bye\r\n");
    } else {
      reply("502 5.5.2 Error: command not recognized");
    }
  };

  const drain = () => {
    for (;;) {
      if (inData) {
        const end = findDataEnd(buffer);
        if (end === null) return;
        const message = unstuffDots(buffer.subarray(0, end.messageEnd));
        buffer = buffer.subarray(end.consumed);
        inData = false;
        const envelope: SinkEnvelope = { from: from ?? "", to, receivedAt: new Date().toISOString() };
        from = null;
        to = [];
        socket.pause();
        store(envelope, message).then(
          () => {
            reply("250 2.0.0 Ok: stored");
            socket.resume();
            drain();
          },
          (error: Error) => {
            reply(`451 4.3.0 sink could not store the message: ${error.message}`);
            socket.resume();
          },
        );
        return;
      }
      const newline = buffer.indexOf("\r\n");
      if (newline < 0) return;
      const line = buffer.subarray(0, newline).toString("utf8");
      buffer = buffer.subarray(newline + 2);
      command(line);
    }
  };

  socket.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    drain();
  });
  reply("220 sink.rig.test ESMTP rig sink");
}

function addressIn(line: string): string {
  const match = /<([^>]*)>/.exec(line);
  return match ? match[1] : line.slice(line.indexOf(":") + 1).trim();
}

/** Where the DATA section ends ("\r\n.\r\n", or ".\r\n" right away for an empty message). */
function findDataEnd(buffer: Buffer): { messageEnd: number; consumed: number } | null {
  if (buffer.subarray(0, 3).toString("latin1") === ".\r\n") return { messageEnd: 0, consumed: 3 };
  const end = buffer.indexOf("\r\n.\r\n");
  return end < 0 ? null : { messageEnd: end, consumed: end + 5 };
}

function unstuffDots(data: Buffer): Buffer {
  if (data.length === 0) return data;
  const text = data.toString("latin1");
  const unstuffed = text.replace(/(^|\r\n)\.\./g, "$1.");
  return Buffer.from(`${unstuffed}\r\n`, "latin1");
}
