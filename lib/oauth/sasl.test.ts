import { describe, expect, it } from "vitest";
import { oauthBearer, xoauth2 } from "./sasl";

const decode = (b64: string) => Buffer.from(b64, "base64").toString("utf8");

describe("SASL client strings", () => {
  it("XOAUTH2: user and bearer token separated by ^A, ending ^A^A", () => {
    expect(decode(xoauth2("alice@contoso.com", "tok"))).toBe("user=alice@contoso.com\x01auth=Bearer tok\x01\x01");
  });

  it("OAUTHBEARER (RFC 7628): GS2 header with an escaped authzid, host, port and the bearer token", () => {
    expect(decode(oauthBearer("a=b,c@contoso.com", "tok", "imap.contoso.com", 993))).toBe(
      "n,a=a=3Db=2Cc@contoso.com,\x01host=imap.contoso.com\x01port=993\x01auth=Bearer tok\x01\x01",
    );
  });
});
