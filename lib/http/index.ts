export { newNonce, contentSecurityPolicy, securityHeaders } from "./security-headers";
