-- DropTable
PRAGMA foreign_keys=off;
DROP TABLE "RequestMessage";
PRAGMA foreign_keys=on;

-- CreateIndex
CREATE INDEX "IngestedMail_messageId_idx" ON "IngestedMail"("messageId");

