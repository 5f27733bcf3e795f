-- DropForeignKey
ALTER TABLE "RequestMessage" DROP CONSTRAINT "RequestMessage_requestId_fkey";

-- DropForeignKey
ALTER TABLE "RequestMessage" DROP CONSTRAINT "RequestMessage_ingestId_fkey";

-- DropTable
DROP TABLE "RequestMessage";

-- CreateIndex
CREATE INDEX "IngestedMail_messageId_idx" ON "IngestedMail"("messageId");

