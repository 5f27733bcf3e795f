// The entry of lib/auth for code outside the server's Node runtime bundle: the proxy (session cookie check)
// and the start command (the peer address it stamps on each request), and password hashing for lib/users,
// which scripts outside Next (the browser tests' seed) load: nothing here reaches the database or Next.
export { readSessionToken, type SessionClaims } from "./session-token";
export { PEER_HEADER, stampPeerAddress } from "./peer-address";
export { hashPassword, verifyPassword } from "./password";
