// Bounds on what a POP3 server can make the client buffer: a multi-line answer longer than the cap and a line
// without an end both stop with a clear error instead of growing without bound. A loopback fake server
// plays the hostile side (the rig's Dovecot answers within the limits).
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_LINE_BYTES } from "./line-socket";
import { MAX_MULTILINE_BYTES, Pop3Client, Pop3Error } from "./pop3-client";
import { StepRecorder } from "./steps";

const servers: net.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A server that greets, then answers each command through `answer`; reports how many bytes it sent. */
async function hostileServer(
  answer: (command: string, socket: net.Socket) => void,
): Promise<{ port: number; sent: () => number }> {
  let sent = 0;
  const server = net.createServer((socket) => {
    const write = socket.write.bind(socket);
    socket.write = ((data: string | Buffer, ...rest: never[]) => {
      sent += Buffer.byteLength(data);
      return write(data, ...rest);
    }) as typeof socket.write;
    socket.on("error", () => undefined);
    socket.write("+OK hostile POP3 ready\r\n");
    let buffered = "";
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      for (let end = buffered.indexOf("\r\n"); end >= 0; end = buffered.indexOf("\r\n")) {
        answer(buffered.slice(0, end), socket);
        buffered = buffered.slice(end + 2);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as net.AddressInfo).port, sent: () => sent };
}

/** Writes `line` repeatedly while the client reads, stopping when the client hangs up. */
function flood(socket: net.Socket, line: string): void {
  const pump = () => {
    while (!socket.destroyed && socket.write(line));
  };
  socket.on("drain", pump);
  pump();
}

function connect(port: number) {
  return Pop3Client.connect({
    host: "127.0.0.1",
    port,
    security: "none",
    steps: new StepRecorder(),
    timeoutMs: 20_000,
  });
}

describe("POP3 client bounds", () => {
  it("a multi-line answer longer than the cap ends with a clear error and a closed connection", async () => {
    const server = await hostileServer((command, socket) => {
      if (command === "UIDL") {
        socket.write("+OK\r\n");
        flood(socket, `1 ${"u".repeat(60)}\r\n`);
      }
    });
    const client = await connect(server.port);
    const error = await client.uidl().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Pop3Error);
    expect((error as Error).message).toMatch(/answer to UIDL is longer than 8 MiB/);
    // the client stopped reading soon after the cap (socket buffers allow a little more on the wire)
    expect(server.sent()).toBeLessThan(MAX_MULTILINE_BYTES + 16 * 1024 * 1024);
  }, 60_000);

  it("headers read with pipelined TOP longer than the cap end with a clear error, not a read without end", async () => {
    const server = await hostileServer((command, socket) => {
      if (command === "CAPA") socket.write("+OK\r\nTOP\r\nPIPELINING\r\nUIDL\r\n.\r\n");
      if (command === "TOP 1 0") {
        socket.write("+OK\r\n");
        flood(socket, `X-Header: ${"h".repeat(60)}\r\n`);
      }
    });
    const client = await connect(server.port);
    const error = await client
      .topMany([1, 2], 0, () => undefined)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Pop3Error);
    expect((error as Pop3Error).response).toMatch(/answer to TOP is longer than/);
    expect(server.sent()).toBeLessThan(MAX_MULTILINE_BYTES + 16 * 1024 * 1024);
  }, 60_000);

  it("a line without an end is refused once it passes the line limit", async () => {
    const server = await hostileServer((command, socket) => {
      if (command === "CAPA") flood(socket, "x".repeat(64 * 1024));
    });
    const client = await connect(server.port);
    const error = await client.capa().then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/line longer than 1 MiB without a line end/);
    expect(server.sent()).toBeLessThan(MAX_LINE_BYTES + 16 * 1024 * 1024);
  }, 60_000);
});
