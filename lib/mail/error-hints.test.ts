import { describe, expect, it } from "vitest";
import { GUIDE_ANCHORS } from "@/lib/oauth/client";
import { explainMailError } from "./error-hints";

describe("explainMailError", () => {
  it.each([
    [{ raw: "6 BAD User is authenticated but not connected." }, "imap.not_connected"],
    [{ raw: "-ERR Protocol error. Connection is closed. 10" }, "pop.one_line_xoauth2"],
    [{ raw: "535 5.7.3 Authentication unsuccessful" }, "smtp.5.7.3"],
    [
      { raw: "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox." },
      "smtp.5.7.139",
    ],
    [{ raw: "3 NO AUTHENTICATE failed.", step: "authenticate" }, "imap.auth_failed"],
    [{ message: "getaddrinfo ENOTFOUND imap.exmaple.com", code: "ENOTFOUND" }, "net.not_found"],
    [{ message: "connect ECONNREFUSED 127.0.0.1:993", code: "ECONNREFUSED" }, "net.refused"],
    [{ message: "self-signed certificate in certificate chain", code: "SELF_SIGNED_CERT_IN_CHAIN" }, "tls.self_signed"],
    [
      { message: "Hostname/IP does not match certificate's altnames", code: "ERR_TLS_CERT_ALTNAME_INVALID" },
      "tls.hostname_mismatch",
    ],
    [{ message: "Connection timed out", code: "ETIMEDOUT" }, "net.timeout"],
    [
      { raw: "HTTP 401 InvalidAuthenticationToken: Access token validation failure. Invalid audience." },
      "http.invalid_audience",
    ],
  ])("%o → %s", (input, code) => {
    expect(explainMailError(input)?.code).toBe(code);
  });

  it("knows nothing about an unknown reply", () => {
    expect(explainMailError({ raw: "* OK all fine" })).toBeNull();
  });
});

describe("outgoing SMTP replies", () => {
  it("explains Postfix/Google's demand for STARTTLS and Node's untrusted-chain message", () => {
    expect(explainMailError({ raw: "530 5.7.0 Must issue a STARTTLS command first" })?.code).toBe(
      "smtp.starttls_first",
    );
    expect(
      explainMailError({ raw: "530-5.7.0 Must issue a STARTTLS command first. For more information, go to" })?.code,
    ).toBe("smtp.starttls_first");
    expect(explainMailError({ message: "unable to verify the first certificate" })?.code).toBe("tls.self_signed");
  });
});

describe("hints link to the setup guide's step that fixes them", () => {
  it("535 5.7.3 → the service principal, 535 5.7.139 → Authenticated SMTP, a refused port → no step", () => {
    expect(
      explainMailError({ raw: "535 5.7.3 Authentication unsuccessful [AM0PR01CA0001.eurprd01.prod.exchangelabs.com]" })
        ?.guideStep,
    ).toBe(GUIDE_ANCHORS.servicePrincipal);
    expect(
      explainMailError({
        raw: "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.",
      })?.guideStep,
    ).toBe(GUIDE_ANCHORS.authenticatedSmtp);
    expect(explainMailError({ code: "ECONNREFUSED" })?.guideStep).toBeUndefined();
  });
});
