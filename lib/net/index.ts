import "server-only";
// Outbound connections under one policy (see address-policy.ts for the rules), and the guard for values
// written into protocol lines.
export {
  classifyAddress,
  parseHost,
  refusalOf,
  describeCategory,
  InvalidHostError,
  type AddressCategory,
  type AddressVerdict,
  type OutboundNetworks,
  type OutboundPolicy,
  type ParsedHost,
} from "./address-policy";
export {
  outboundPolicy,
  checkTarget,
  checkLiteralTarget,
  guardedLookup,
  resolveWithDeadline,
  OutboundRefusedError,
  findOutboundRefusal,
  DNS_TIMEOUT_MS,
  type ResolvedTarget,
} from "./outbound-check";
export { connectGuarded, connectChecked, GuardedHttpsAgent } from "./guarded-socket";
export { guardedSmtpSocket, type NodemailerGetSocket } from "./smtp-socket";
export { guardedFetch, resetGuardedFetchForTests, FETCH_TIMEOUT_MS } from "./guarded-fetch";
export { tunnel, type TunnelTarget } from "./proxy-tunnel";
export { withDeadline } from "./deadline";
export { assertLineSafe, hasLineBreak, isLineSafe, ProtocolInjectionError, LINE_BREAK_MESSAGE } from "./protocol-line";
