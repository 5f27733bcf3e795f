import { describe, expect, it } from "vitest";
import { classifyAddress, parseHost, refusalOf, type OutboundPolicy } from "./address-policy";

const publicOnly: OutboundPolicy = { networks: "public", ownPort: 3000, localAddresses: new Set(["192.0.2.10"]) };
const withPrivate: OutboundPolicy = { ...publicOnly, networks: "private" };
const withLoopback: OutboundPolicy = { ...publicOnly, networks: "loopback" };

describe("classifyAddress", () => {
  it.each([
    ["8.8.8.8", "public"],
    ["2606:4700::1111", "public"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["fd12:3456::1", "private"],
    ["fec0::1", "private"],
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["::1", "loopback"],
    ["169.254.169.254", "link-local"],
    ["169.254.0.1", "link-local"],
    ["fe80::1", "link-local"],
    ["febf::1", "link-local"],
    ["fd00:ec2::254", "metadata"],
    ["100.100.100.200", "metadata"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "reserved"],
    ["198.18.0.1", "reserved"],
  ])("%s is %s", (address, category) => {
    expect(classifyAddress(address).category).toBe(category);
  });

  it.each([
    ["::ffff:169.254.169.254", "link-local", "169.254.169.254"],
    ["::ffff:a9fe:a9fe", "link-local", "169.254.169.254"],
    ["::ffff:127.0.0.1", "loopback", "127.0.0.1"],
    ["64:ff9b::169.254.169.254", "link-local", "169.254.169.254"],
    ["64:ff9b::a00:1", "private", "10.0.0.1"],
    ["2002:a9fe:a9fe::1", "link-local", "169.254.169.254"],
    ["2002:7f00:1::", "loopback", "127.0.0.1"],
    ["2001:0:4136:e378:8000:63bf:5601:5601", "link-local", "169.254.169.254"],
    ["::169.254.169.254", "link-local", "169.254.169.254"],
    ["::ffff:0:a9fe:a9fe", "link-local", "169.254.169.254"],
    ["::ffff:100.100.100.200", "metadata", "100.100.100.200"],
    ["::ffff:8.8.8.8", "public", "8.8.8.8"],
  ])("the transition form %s is judged by what it carries (%s, %s)", (address, category, embedded) => {
    expect(classifyAddress(address)).toMatchObject({ category, embedded });
  });

  it("refuses to classify what is not an address", () => {
    expect(() => classifyAddress("example.com")).toThrow();
  });
});

describe("parseHost", () => {
  it.each([
    ["0", "0.0.0.0"],
    ["2130706433", "127.0.0.1"],
    ["0x7f.1", "127.0.0.1"],
    ["0x7F000001", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["0251.0376.0251.0376", "169.254.169.254"],
    ["2852039166", "169.254.169.254"],
    ["169.254.169.254.", "169.254.169.254"],
    ["[::1]", "::1"],
    ["[0:0:0:0:0:ffff:a9fe:a9fe]", "::ffff:a9fe:a9fe"],
  ])("reads the numeric host %s as %s", (host, address) => {
    expect(parseHost(host)).toMatchObject({ kind: "ip", address });
  });

  it("keeps how an unusual numeric host was written, for the message", () => {
    expect(parseHost("0x7f.1")).toEqual({ kind: "ip", address: "127.0.0.1", family: 4, written: "0x7f.1" });
    expect(parseHost("1.2.3.4")).toEqual({ kind: "ip", address: "1.2.3.4", family: 4 });
  });

  it("takes DNS names as names, lower-cased", () => {
    expect(parseHost("Mail.Example.COM")).toEqual({ kind: "name", name: "mail.example.com" });
    expect(parseHost("0x7f.example")).toEqual({ kind: "name", name: "0x7f.example" });
  });

  it.each([
    "",
    "08.1.1.1",
    "256.1.1.1",
    "4294967296",
    "1.2.3.4.5",
    "fe80::1%eth0",
    "exa mple.com",
    "-x.example",
    "a\r\nb.example",
    "[::1",
  ])("refuses the invalid host %j", (host) => {
    expect(() => parseHost(host)).toThrow(/is not a valid host/);
  });
});

describe("refusalOf", () => {
  it("refuses link-local, metadata, unspecified, multicast and broadcast at every level", () => {
    for (const policy of [publicOnly, withPrivate, withLoopback]) {
      expect(refusalOf("169.254.169.254", 80, policy)).toBe(
        "169.254.169.254 is a link-local address: Mailbridge does not connect there",
      );
      expect(refusalOf("fe80::1", 993, policy)).toMatch(/link-local address: Mailbridge does not connect there/);
      expect(refusalOf("fd00:ec2::254", 80, policy)).toMatch(/cloud metadata address/);
      expect(refusalOf("100.100.100.200", 80, policy)).toMatch(/cloud metadata address/);
      expect(refusalOf("0.0.0.0", 993, policy)).toMatch(/unspecified address/);
      expect(refusalOf("224.0.0.1", 993, policy)).toMatch(/multicast/);
      expect(refusalOf("255.255.255.255", 993, policy)).toMatch(/broadcast/);
      expect(refusalOf("::ffff:169.254.169.254", 80, policy)).toMatch(/carries 169\.254\.169\.254/);
    }
  });

  it("allows private networks and loopback only at their levels", () => {
    expect(refusalOf("8.8.8.8", 993, publicOnly)).toBeNull();
    expect(refusalOf("10.0.0.5", 993, publicOnly)).toMatch(
      /private-network address: Mailbridge connects there only when MAILBRIDGE_OUTBOUND_NETWORKS is "private"/,
    );
    expect(refusalOf("10.0.0.5", 993, withPrivate)).toBeNull();
    expect(refusalOf("127.0.0.1", 993, withPrivate)).toMatch(/loopback address.*"loopback"/);
    expect(refusalOf("127.0.0.1", 993, withLoopback)).toBeNull();
    expect(refusalOf("::ffff:127.0.0.1", 993, publicOnly)).toMatch(/loopback/);
    expect(refusalOf("2002:7f00:1::", 993, publicOnly)).toMatch(/loopback/);
  });

  it("refuses the console's own port on loopback and on this machine's addresses, even when loopback is allowed", () => {
    expect(refusalOf("127.0.0.1", 3000, withLoopback)).toBe(
      "127.0.0.1:3000 is this console's own listener: Mailbridge does not connect there",
    );
    expect(refusalOf("127.0.0.2", 3000, withLoopback)).toMatch(/own listener/);
    expect(refusalOf("::1", 3000, withLoopback)).toMatch(/own listener/);
    expect(refusalOf("192.0.2.10", 3000, withLoopback)).toMatch(/own listener/);
    expect(refusalOf("127.0.0.1", 3001, withLoopback)).toBeNull();
  });
});
