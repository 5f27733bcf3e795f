-- AlterTable
ALTER TABLE "IncomingMailbox" ADD COLUMN     "incidentNotifiedAt" TIMESTAMP(3),
ADD COLUMN     "incidentSince" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "bodyText" TEXT;

-- CreateIndex
CREATE INDEX "OutboxMessage_requestId_idx" ON "OutboxMessage"("requestId");

-- CreateIndex
CREATE INDEX "OutboxMessage_messageId_idx" ON "OutboxMessage"("messageId");

