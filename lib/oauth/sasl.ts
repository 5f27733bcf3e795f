/** SASL XOAUTH2 initial response (Google/Microsoft): base64 of `user=U^Aauth=Bearer T^A^A`. */
export function xoauth2(user: string, accessToken: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`).toString("base64");
}

/** SASL OAUTHBEARER initial response (RFC 7628): GS2 header with the authorization identity, then kvpairs. */
export function oauthBearer(user: string, accessToken: string, host: string, port: number): string {
  const gs2User = user.replace(/=/g, "=3D").replace(/,/g, "=2C");
  return Buffer.from(`n,a=${gs2User},\x01host=${host}\x01port=${port}\x01auth=Bearer ${accessToken}\x01\x01`).toString(
    "base64",
  );
}
