-- DropIndex
DROP INDEX "IngestedMail_mailboxId_fetchedAt_idx";

-- DropIndex
DROP INDEX "IngestedMail_extractState_idx";

-- DropIndex
DROP INDEX "IngestedMail_messageId_idx";

-- CreateIndex
CREATE INDEX "IngestedMail_extractState_mailboxId_fetchedAt_idx" ON "IngestedMail"("extractState", "mailboxId", "fetchedAt");

