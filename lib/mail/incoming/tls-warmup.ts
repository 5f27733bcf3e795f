import "server-only";
// Trusting an extra CA means a TLS context holding every system root as well; building it parses ~140
// certificates (~30 ms here), once per process. A fetcher builds it when it starts, so its first scheduled
// fetch does not pay for it, and an unreadable MAILBRIDGE_EXTRA_CA_FILE shows at start, not at the first mail.
import { extraCa } from "@/lib/mail/extra-ca";
import { trustedContext } from "./net-connect";

/** Builds the TLS context for mail servers now (a no-op without an extra CA). Throws if the CA file cannot be read. */
export function prepareMailTls(): void {
  trustedContext(extraCa());
}
