// The policy applied to real lookups and connections: refused targets are refused before any connection (a
// recording server on loopback counts connections), names are judged by what they resolve to, and the lookup
// hook refuses at connect time.
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startRecordingServer, type RecordingServer } from "@/e2e/support/recording-server";
import { resetConfigForTests } from "@/lib/config";
import { discoverEndpoints } from "@/lib/oauth/discovery";
import type { OutboundPolicy } from "./address-policy";
import { guardedFetch, resetGuardedFetchForTests } from "./guarded-fetch";
import { connectGuarded } from "./guarded-socket";
import { checkLiteralTarget, checkTarget, guardedLookup, OutboundRefusedError } from "./outbound-check";

const publicOnly: OutboundPolicy = { networks: "public" };
const loopback: OutboundPolicy = { networks: "loopback", ownPort: 3999 };

let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer();
});
afterAll(() => server.stop());

function useNetworks(networks: string, extra: Record<string, string> = {}) {
  process.env.MAILBRIDGE_OUTBOUND_NETWORKS = networks;
  Object.assign(process.env, extra);
  resetConfigForTests();
  resetGuardedFetchForTests();
}

afterEach(() => {
  process.env.MAILBRIDGE_OUTBOUND_NETWORKS = "loopback";
  delete process.env.PORT;
  resetConfigForTests();
  resetGuardedFetchForTests();
});

describe("checkTarget", () => {
  it("judges a name by every address it resolves to", async () => {
    await expect(checkTarget("localhost", server.port, { policy: publicOnly })).rejects.toThrow(
      /^localhost resolves to .* is a loopback address/,
    );
    const allowed = await checkTarget("localhost", server.port, { policy: loopback });
    expect(allowed.literal).toBe(false);
    expect(allowed.addresses.length).toBeGreaterThan(0);
  });

  it("names the numeric spelling and what it means", async () => {
    await expect(checkTarget("2130706433", 993, { policy: publicOnly })).rejects.toThrow(
      /^2130706433 means 127\.0\.0\.1; 127\.0\.0\.1 is a loopback address/,
    );
    await expect(checkTarget("0x7f.1", 993, { policy: loopback })).resolves.toMatchObject({
      host: "127.0.0.1",
      literal: true,
      written: "0x7f.1",
    });
    await expect(checkTarget("0", 993, { policy: loopback })).rejects.toThrow(
      /0 means 0\.0\.0\.0; 0\.0\.0\.0 is the unspecified address/,
    );
  });

  it("refuses invalid hosts at the field", async () => {
    await expect(checkTarget("08.1.1.1", 993, { policy: loopback, field: "host" })).rejects.toMatchObject({
      options: { field: "host" },
    });
    expect(() => checkLiteralTarget("169.254.169.254", 80, { policy: loopback })).toThrow(OutboundRefusedError);
    expect(checkLiteralTarget("mail.example.com", 993, { policy: publicOnly })).toBe("mail.example.com");
  });
});

describe("the lookup hook", () => {
  it("refuses at connect time, so the socket never opens", async () => {
    const before = server.connections;
    const error = await new Promise<Error>((resolve) => {
      const socket = net.connect({
        host: "localhost",
        port: server.port,
        lookup: guardedLookup(server.port, publicOnly),
      });
      socket.once("error", resolve);
      socket.once("connect", () => resolve(new Error("connected")));
    });
    expect(error).toBeInstanceOf(OutboundRefusedError);
    expect(server.connections).toBe(before);
  });

  it("refuses the console's own port on loopback even when loopback is allowed", async () => {
    const before = server.connections;
    const error = await new Promise<Error>((resolve) => {
      const socket = net.connect({
        host: "localhost",
        port: server.port,
        lookup: guardedLookup(server.port, { networks: "loopback", ownPort: server.port }),
      });
      socket.once("error", resolve);
      socket.once("connect", () => resolve(new Error("connected")));
    });
    expect(error.message).toMatch(/this console's own listener/);
    expect(server.connections).toBe(before);
  });
});

describe("guarded sockets and fetch under the configured policy", () => {
  it("connectGuarded refuses loopback by default and connects when allowed", async () => {
    useNetworks("public");
    const before = server.connections;
    await expect(connectGuarded({ host: "127.0.0.1", port: server.port })).rejects.toThrow(/loopback address/);
    expect(server.connections).toBe(before);
    useNetworks("loopback");
    const socket = await connectGuarded({ host: "127.0.0.1", port: server.port });
    socket.destroy();
    expect(server.connections).toBe(before + 1);
  });

  it("fetch refuses IP literals and names resolving to refused addresses, before connecting", async () => {
    useNetworks("public");
    const before = server.connections;
    await expect(guardedFetch()(`http://127.0.0.1:${server.port}/`)).rejects.toMatchObject({
      cause: { code: "EOUTBOUNDREFUSED" },
    });
    await expect(guardedFetch()(`http://localhost:${server.port}/`)).rejects.toMatchObject({
      cause: { code: "EOUTBOUNDREFUSED" },
    });
    await expect(guardedFetch()(`http://2130706433:${server.port}/`)).rejects.toMatchObject({
      cause: { code: "EOUTBOUNDREFUSED" },
    });
    expect(server.connections).toBe(before);
  });

  it("issuer discovery refuses metadata, loopback and the console's own port at the issuer field", async () => {
    useNetworks("public");
    const before = server.connections;
    await expect(discoverEndpoints("https://169.254.169.254/")).rejects.toMatchObject({
      message: "169.254.169.254 is a link-local address: Mailbridge does not connect there",
      options: { field: "issuer" },
    });
    await expect(discoverEndpoints("https://[::ffff:169.254.169.254]/")).rejects.toThrow(/carries 169\.254\.169\.254/);
    await expect(discoverEndpoints(`http://localhost:${server.port}`)).rejects.toThrow(
      /localhost resolves to .*loopback address/,
    );
    useNetworks("loopback", { PORT: String(server.port) });
    await expect(discoverEndpoints(`http://127.0.0.1:${server.port}`)).rejects.toThrow(/this console's own listener/);
    expect(server.connections).toBe(before);
  });
});
