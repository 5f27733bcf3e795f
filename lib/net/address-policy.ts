// What an address is (public, private, loopback, link-local…) and whether the outbound policy lets Mailbridge
// connect there. IPv6 transition forms are judged by the IPv4 address they carry (::ffff:169.254.169.254 is the
// metadata service, not "IPv4-mapped"), and numeric host spellings that the system resolver reads as IPv4
// (`0`, `2130706433`, `0x7f.1`, `0177.0.0.1`) are read the same way here, so the policy judges what the
// socket would really reach.
import ipaddr from "ipaddr.js";

export type AddressCategory =
  | "public"
  | "private"
  | "reserved"
  | "loopback"
  | "link-local"
  | "metadata"
  | "unspecified"
  | "multicast"
  | "broadcast";

/** public < private < loopback: each level allows what the previous ones allow. */
export type OutboundNetworks = "public" | "private" | "loopback";

export type OutboundPolicy = {
  networks: OutboundNetworks;
  /** the console's own listening port: never a target on this machine's addresses */
  ownPort?: number;
  /** this machine's interface addresses (normalised), for the own-listener check */
  localAddresses?: ReadonlySet<string>;
};

export type AddressVerdict = {
  /** the address as given, normalised (e.g. ::ffff:a9fe:a9fe) */
  address: string;
  category: AddressCategory;
  /** the IPv4 address an IPv6 transition form carries, when it was judged by that */
  embedded?: string;
};

// Cloud instance-metadata services outside the link-local range (AWS IPv6 IMDS, Alibaba Cloud, Azure's
// wireserver, Oracle Cloud): normalised forms.
const METADATA_ADDRESSES = new Set(["fd00:ec2:0:0:0:0:0:254", "100.100.100.200", "168.63.129.16", "192.0.0.192"]);

const IPV4_CATEGORY: Record<string, AddressCategory> = {
  unicast: "public",
  as112: "public",
  amt: "public",
  private: "private",
  carrierGradeNat: "private",
  reserved: "reserved",
  loopback: "loopback",
  linkLocal: "link-local",
  unspecified: "unspecified",
  multicast: "multicast",
  broadcast: "broadcast",
};

const IPV6_CATEGORY: Record<string, AddressCategory> = {
  unicast: "public",
  amt: "public",
  as112v6: "public",
  uniqueLocal: "private",
  loopback: "loopback",
  linkLocal: "link-local",
  unspecified: "unspecified",
  multicast: "multicast",
};

const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);

/** The IPv4 address an IPv6 transition address carries (mapped, NAT64, 6to4, Teredo, IPv4-compatible). */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | null {
  const p = address.parts;
  switch (address.range()) {
    case "ipv4Mapped":
      return address.toIPv4Address();
    case "rfc6052":
    case "rfc6145":
      return v4(p[6], p[7]);
    case "6to4":
      return v4(p[1], p[2]);
    case "teredo":
      return v4(p[6] ^ 0xffff, p[7] ^ 0xffff);
    case "unicast":
      return p.slice(0, 6).every((part) => part === 0) ? v4(p[6], p[7]) : null;
    default:
      return null;
  }
}

/** fec0::/10, site-local (deprecated by RFC 3879, still internal wherever it is used). */
function isSiteLocal(address: ipaddr.IPv6): boolean {
  return (address.parts[0] & 0xffc0) === 0xfec0;
}

/** The category of an IP address (a literal; throws for anything else). */
export function classifyAddress(text: string): AddressVerdict {
  const parsed = ipaddr.parse(text.replace(/^\[|\]$/g, ""));
  const address = parsed.toNormalizedString();
  let judged: ipaddr.IPv4 | ipaddr.IPv6 = parsed;
  let embedded: string | undefined;
  if (parsed.kind() === "ipv6") {
    const inner = embeddedIPv4(parsed as ipaddr.IPv6);
    if (inner) {
      judged = inner;
      embedded = inner.toString();
    }
  }
  const normalised = judged.toNormalizedString();
  let category: AddressCategory;
  if (METADATA_ADDRESSES.has(normalised)) category = "metadata";
  else if (judged.kind() === "ipv4") category = IPV4_CATEGORY[judged.range()] ?? "reserved";
  else if (isSiteLocal(judged as ipaddr.IPv6)) category = "private";
  else category = IPV6_CATEGORY[judged.range()] ?? "reserved";
  return { address, category, ...(embedded ? { embedded } : {}) };
}

export type ParsedHost =
  | {
      kind: "ip";
      address: string;
      family: 4 | 6;
      /** how it was written, when that was not the plain form */ written?: string;
    }
  | { kind: "name"; name: string };

/** Thrown for a host that is neither a valid IP address nor a valid DNS name. */
export class InvalidHostError extends Error {
  constructor(
    readonly host: string,
    reason: string,
  ) {
    super(`${host || "(empty)"} is not a valid host: ${reason}`);
    this.name = "InvalidHostError";
  }
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/**
 * A host as the system would read it: an IPv6 literal (brackets and zone refused), an IPv4 address in any
 * spelling inet_aton accepts (returned in dotted-decimal form, so the caller connects to exactly what was
 * judged), or a DNS name. As in the URL standard, a name whose last label is a number is an IPv4 address.
 */
export function parseHost(host: string): ParsedHost {
  const text = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
  if (!text) throw new InvalidHostError(host, "it is empty");
  if (text.includes(":")) {
    if (text.includes("%")) throw new InvalidHostError(host, "addresses with a zone (%…) are not accepted");
    if (!ipaddr.IPv6.isValid(text)) throw new InvalidHostError(host, "it is not an IPv6 address");
    const address = ipaddr.IPv6.parse(text).toString();
    return { kind: "ip", address, family: 6, ...(address !== text ? { written: host } : {}) };
  }
  const labels = text.split(".");
  if (/^(0x[0-9a-f]*|\d+)$/.test(labels[labels.length - 1])) {
    if (!ipaddr.IPv4.isValid(text)) throw new InvalidHostError(host, "it is not an IPv4 address");
    const address = ipaddr.IPv4.parse(text).toString();
    return { kind: "ip", address, family: 4, ...(address !== text ? { written: host } : {}) };
  }
  if (text.length > 253 || !labels.every((label) => LABEL.test(label))) {
    throw new InvalidHostError(host, "use letters, digits, hyphens and dots only");
  }
  return { kind: "name", name: text };
}

const CATEGORY_TEXT: Record<AddressCategory, string> = {
  public: "a public address",
  private: "a private-network address",
  reserved: "a reserved address",
  loopback: "a loopback address (this machine)",
  "link-local": "a link-local address",
  metadata: "a cloud metadata address",
  unspecified: "the unspecified address",
  multicast: "a multicast address",
  broadcast: "the broadcast address",
};

export function describeCategory(category: AddressCategory): string {
  return CATEGORY_TEXT[category];
}

const ALLOWED_AT: Record<OutboundNetworks, ReadonlySet<AddressCategory>> = {
  public: new Set(["public"]),
  private: new Set(["public", "private", "reserved"]),
  loopback: new Set(["public", "private", "reserved", "loopback"]),
};

/**
 * Why the policy refuses `address:port`, or null when it may be reached. The console's own port is refused
 * on loopback and on every address of this machine, whatever the level.
 */
export function refusalOf(address: string, port: number, policy: OutboundPolicy): string | null {
  let verdict: AddressVerdict;
  try {
    verdict = classifyAddress(address);
  } catch {
    return `${address} is not an IP address Mailbridge can judge, so it does not connect there`;
  }
  const what = `${address} is ${describeCategory(verdict.category)}${verdict.embedded ? ` (it carries ${verdict.embedded})` : ""}`;
  const local =
    verdict.category === "loopback" ||
    verdict.category === "unspecified" ||
    policy.localAddresses?.has(verdict.address) === true;
  if (local && policy.ownPort === port)
    return `${address}:${port} is this console's own listener: Mailbridge does not connect there`;
  if (ALLOWED_AT[policy.networks].has(verdict.category)) return null;
  if (verdict.category === "private" || verdict.category === "reserved") {
    return `${what}: Mailbridge connects there only when MAILBRIDGE_OUTBOUND_NETWORKS is "private" (or "loopback")`;
  }
  if (verdict.category === "loopback")
    return `${what}: Mailbridge connects there only when MAILBRIDGE_OUTBOUND_NETWORKS is "loopback"`;
  return `${what}: Mailbridge does not connect there`;
}
