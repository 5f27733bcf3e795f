// The state one running authorization server shares between its parts.
import type { Provider } from "oidc-provider";
import type { ControlState } from "./control-state";
import type { RigIdentities } from "./identities";
import type { SigningKeys } from "./signing-keys";
import type { TokenStore } from "./token-store";

export type AuthServerContext = {
  issuer: string;
  identities: RigIdentities;
  store: TokenStore;
  keys: SigningKeys;
  control: ControlState;
  /** signs cookies; kept across provider rebuilds so browser sessions survive key rotation */
  cookieKeys: string[];
  /** the provider currently answering (rebuilt when the signing keys rotate) */
  provider(): Provider;
  /** a new signing key (and a rebuilt provider that signs with it); older keys keep verifying unless retired */
  rotateKeys(opts: { retireOld?: boolean }): Promise<{ kid: string; retired: string[] }>;
  log(line: string): void;
};

export const ROUTES = {
  authorize: "/auth",
  token: "/token",
  revocation: "/token/revocation",
  jwks: "/jwks",
  interaction: "/interaction",
  introspect: "/rig/introspect",
  userinfo: "/rig/userinfo",
  control: "/rig/control",
  msBase: "/ms",
  googleAuthorize: "/google/o/oauth2/v2/auth",
  googleToken: "/google/token",
} as const;
