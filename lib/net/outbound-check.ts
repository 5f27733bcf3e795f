import "server-only";
// The outbound policy applied: which targets a connection may have, checked once before connecting (to fail
// early with a message worth reading) and again inside the socket's own DNS lookup (so the addresses judged
// are the addresses connected to: no DNS-rebinding window). DNS answers have a deadline.
import { lookup as dnsLookup } from "node:dns/promises";
import type { LookupAddress, LookupOptions } from "node:dns";
import type { LookupFunction } from "node:net";
import os from "node:os";
import ipaddr from "ipaddr.js";
import { config } from "@/lib/config";
import { UserFacingError } from "@/lib/errors";
import { InvalidHostError, parseHost, refusalOf, type OutboundPolicy } from "./address-policy";

export const DNS_TIMEOUT_MS = 5_000;

/** A target the outbound policy refuses; says why, so the admin can tell a policy from a network problem. */
export class OutboundRefusedError extends UserFacingError {
  readonly code = "EOUTBOUNDREFUSED";

  constructor(message: string, field?: string) {
    super(message, field ? { field } : {});
    this.name = "OutboundRefusedError";
  }
}

/** The policy's refusal inside another error (fetch wraps connection errors in `cause`), if there is one. */
export function findOutboundRefusal(error: unknown): OutboundRefusedError | null {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof OutboundRefusedError) return e;
  }
  return null;
}

function localAddresses(): Set<string> {
  const found = new Set<string>();
  for (const list of Object.values(os.networkInterfaces())) {
    for (const entry of list ?? []) {
      try {
        found.add(ipaddr.parse(entry.address.replace(/%.*$/, "")).toNormalizedString());
      } catch {
        // an interface address the parser does not know cannot be a target we judge either
      }
    }
  }
  return found;
}

/** The policy of this process (MAILBRIDGE_OUTBOUND_NETWORKS, the console's own port, this machine's addresses). */
export function outboundPolicy(): OutboundPolicy {
  const c = config();
  return { networks: c.outboundNetworks, ownPort: c.port, localAddresses: localAddresses() };
}

export type ResolvedTarget = {
  /** the host to connect to: the canonical address for a numeric host, else the DNS name */
  host: string;
  /** every address the name resolved to (the literal itself for an IP) */
  addresses: LookupAddress[];
  literal: boolean;
  /** for a numeric host written unusually (0x7f.1): how it was written */
  written?: string;
};

function refuse(message: string, field?: string): never {
  throw new OutboundRefusedError(message, field);
}

function parsed(host: string, field?: string) {
  try {
    return parseHost(host);
  } catch (error) {
    if (error instanceof InvalidHostError) refuse(error.message, field);
    throw error;
  }
}

/** The answer of the system resolver (every address), or an ETIMEOUT error after `ms`. */
export async function resolveWithDeadline(
  name: string,
  options: LookupOptions = {},
  ms = DNS_TIMEOUT_MS,
): Promise<LookupAddress[]> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          Object.assign(new Error(`resolving ${name} took longer than ${Math.round(ms / 1000)} s`), {
            code: "ETIMEOUT",
          }),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([dnsLookup(name, { ...options, all: true }), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function judgeAll(
  name: string,
  addresses: LookupAddress[],
  port: number,
  policy: OutboundPolicy,
  field?: string,
): void {
  for (const { address } of addresses) {
    const reason = refusalOf(address, port, policy);
    if (reason) refuse(`${name} resolves to ${reason}`, field);
  }
}

/**
 * A host and port checked against the policy without resolving a name: for connections through a proxy,
 * which resolves names itself (and only IP literals can be judged here). Returns the host to hand on.
 */
export function checkLiteralTarget(
  host: string,
  port: number,
  opts: { policy?: OutboundPolicy; field?: string } = {},
): string {
  const target = parsed(host, opts.field);
  if (target.kind === "name") return target.name;
  const reason = refusalOf(target.address, port, opts.policy ?? outboundPolicy());
  if (reason) refuse(target.written ? `${target.written} means ${target.address}; ${reason}` : reason, opts.field);
  return target.address;
}

/** Resolves the host (with a deadline) and checks every address; throws OutboundRefusedError when refused. */
export async function checkTarget(
  host: string,
  port: number,
  opts: { policy?: OutboundPolicy; field?: string } = {},
): Promise<ResolvedTarget> {
  const policy = opts.policy ?? outboundPolicy();
  const target = parsed(host, opts.field);
  if (target.kind === "ip") {
    checkLiteralTarget(host, port, { policy, field: opts.field });
    return {
      host: target.address,
      addresses: [{ address: target.address, family: target.family }],
      literal: true,
      ...(target.written ? { written: target.written } : {}),
    };
  }
  const addresses = await resolveWithDeadline(target.name);
  if (addresses.length === 0) throw Object.assign(new Error(`${target.name} has no address`), { code: "ENOTFOUND" });
  judgeAll(target.name, addresses, port, policy, opts.field);
  return { host: target.name, addresses, literal: false };
}

/**
 * A `lookup` for net.connect / tls.connect / https.Agent / undici's connector: resolves with the deadline and
 * refuses when any address is refused, so the socket only ever opens to addresses that were judged.
 */
export function guardedLookup(port: number, policy: OutboundPolicy = outboundPolicy()): LookupFunction {
  return ((
    hostname: string,
    options: LookupOptions,
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    void (async () => {
      const target = parseHost(hostname);
      if (target.kind === "ip") {
        checkLiteralTarget(target.address, port, { policy });
        return [{ address: target.address, family: target.family }];
      }
      const addresses = await resolveWithDeadline(target.name, { family: options.family, hints: options.hints });
      if (addresses.length === 0)
        throw Object.assign(new Error(`${target.name} has no address`), { code: "ENOTFOUND" });
      judgeAll(target.name, addresses, port, policy);
      return addresses;
    })().then(
      (addresses) =>
        options.all ? callback(null, addresses) : callback(null, addresses[0].address, addresses[0].family),
      (error: Error) => callback(error, ""),
    );
  }) as LookupFunction;
}
