import { afterEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { clientAddress } from "./client-address";
import { PEER_HEADER } from "./peer-address";

const from = (peer: string, forwarded?: string) =>
  clientAddress(new Headers({ [PEER_HEADER]: peer, ...(forwarded ? { "x-forwarded-for": forwarded } : {}) }));
const trusting = (list: string) => {
  process.env.MAILBRIDGE_TRUSTED_PROXIES = list;
  resetConfigForTests();
};

describe("the client address", () => {
  afterEach(() => {
    delete process.env.MAILBRIDGE_TRUSTED_PROXIES;
    resetConfigForTests();
  });

  it("is the connection's peer; X-Forwarded-For and X-Real-IP from anyone else are ignored", () => {
    expect(from("198.51.100.4", "203.0.113.9")).toBe("198.51.100.4");
    expect(clientAddress(new Headers({ [PEER_HEADER]: "::ffff:198.51.100.4", "x-real-ip": "203.0.113.9" }))).toBe(
      "198.51.100.4",
    );
    expect(clientAddress(new Headers({ "x-forwarded-for": "203.0.113.9" }))).toBe("unknown");
  });

  it("behind trusted proxies: the right-most address that is not one of them", () => {
    trusting("10.0.0.1, 10.1.0.0/16");
    expect(from("10.0.0.1", "203.0.113.9")).toBe("203.0.113.9");
    expect(from("10.0.0.1", "1.2.3.4, 203.0.113.9, 10.1.2.3")).toBe("203.0.113.9");
    expect(from("10.0.0.1")).toBe("10.0.0.1");
    expect(from("10.0.0.1", "garbage")).toBe("10.0.0.1");
    expect(from("10.0.0.2", "203.0.113.9")).toBe("10.0.0.2");
  });
});
