export { newNonce, contentSecurityPolicy, securityHeaders } from "./security-headers";
export { refuseActionRequest, ACTION_BODY_LIMIT } from "./action-guard";
