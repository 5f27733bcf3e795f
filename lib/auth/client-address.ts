import { BlockList, isIP } from "node:net";
import { config } from "@/lib/config";
import { PEER_HEADER } from "./peer-address";

const normalise = (address: string) =>
  address
    .trim()
    .replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, "$1")
    .toLowerCase();

function blockListOf(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split("/");
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(normalise(address), type);
    else list.addSubnet(normalise(address), Number(prefix), type);
  }
  return list;
}

let trusted: { entries: string[]; list: BlockList } | undefined;
function isTrustedProxy(address: string): boolean {
  const entries = config().trustedProxies;
  if (trusted?.entries !== entries) trusted = { entries, list: blockListOf(entries) };
  const family = isIP(address);
  return family !== 0 && trusted.list.check(address, family === 6 ? "ipv6" : "ipv4");
}

/**
 * The address a request came from: the connection's peer, unless the peer is a configured reverse proxy;
 * then the right-most X-Forwarded-For entry that is not one of our proxies (entries further left were
 * written by the client and prove nothing).
 */
export function clientAddress(headers: Headers): string {
  const peer = normalise(headers.get(PEER_HEADER) ?? "");
  if (!isIP(peer)) return "unknown";
  if (!isTrustedProxy(peer)) return peer;
  const hops = (headers.get("x-forwarded-for") ?? "").split(",").map(normalise).filter(Boolean);
  let address = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!isIP(hops[i])) break;
    address = hops[i];
    if (!isTrustedProxy(address)) break;
  }
  return address;
}
