// The client-safe part of lib/net, for form schemas: reading a host as the system would, and the line guard.
export { InvalidHostError, parseHost, type ParsedHost } from "./address-policy";
export { assertLineSafe, hasLineBreak, isLineSafe, LINE_BREAK_MESSAGE, ProtocolInjectionError } from "./protocol-line";
