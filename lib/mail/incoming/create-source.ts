// The adapter for a protocol.
import { EwsSource } from "./ews-source";
import { GraphSource } from "./graph-source";
import { ImapSource } from "./imap-source";
import { Pop3Source } from "./pop3-source";
import type { IncomingSource, SourceAuth, SourceSettings } from "./source";

export function createSource(settings: SourceSettings, auth: SourceAuth): IncomingSource {
  switch (settings.protocol) {
    case "imap":
    case "imaps":
      return new ImapSource(settings, auth);
    case "pop":
    case "pops":
      return new Pop3Source(settings, auth);
    case "graph":
      return new GraphSource(settings, auth);
    case "ews":
      return new EwsSource(settings, auth);
  }
}
