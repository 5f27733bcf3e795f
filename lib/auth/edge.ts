// The entry of lib/auth for code outside the server's Node runtime bundle: the proxy (session cookie check)
// and the start command (the peer address it stamps on each request). Nothing here reaches the database.
export { readSessionToken, type SessionClaims } from "./session-token";
export { PEER_HEADER, stampPeerAddress } from "./peer-address";
