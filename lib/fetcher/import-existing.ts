import "server-only";
// Importing the mail already in a mailbox since a date: the next fetch starts over from that date. Nothing is
// fetched twice (the ledger knows every stored message), and imported mail is never acknowledged.
import { db } from "@/lib/db";
import { UserFacingError } from "@/lib/errors";

export async function importExistingMail(mailboxId: string, since: Date): Promise<{ since: Date }> {
  const changed = await db().incomingMailbox.updateMany({
    where: { id: mailboxId },
    data: {
      importSince: since,
      baselineCursor: null,
      cursor: null,
      importTotal: 0,
      importDone: 0,
      nextFetchAt: new Date(),
    },
  });
  if (changed.count !== 1) throw new UserFacingError("This mailbox no longer exists.");
  return { since };
}
