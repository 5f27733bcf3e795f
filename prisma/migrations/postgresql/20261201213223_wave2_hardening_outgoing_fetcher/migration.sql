-- AlterTable
ALTER TABLE "OAuthApplication" ADD COLUMN     "scope" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "OAuthConnection" ADD COLUMN     "pendingChange" TEXT,
ADD COLUMN     "refreshFailures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "refreshRetryAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "OAuthState" ADD COLUMN     "pendingChange" TEXT;

-- AlterTable
ALTER TABLE "IncomingMailbox" ADD COLUMN     "baselineCursor" TEXT,
ADD COLUMN     "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "importDone" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "importSince" TIMESTAMP(3),
ADD COLUMN     "importTotal" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "leaseEpoch" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "FetchRun" ADD COLUMN     "outgoingServerId" TEXT;

-- CreateTable
CREATE TABLE "IngestedMail" (
    "id" TEXT NOT NULL,
    "mailboxId" TEXT NOT NULL,
    "sourceKey" TEXT NOT NULL,
    "dedupeKey" TEXT,
    "messageId" TEXT,
    "rawSha256" TEXT NOT NULL,
    "rawPath" TEXT NOT NULL,
    "rawSize" INTEGER NOT NULL,
    "subject" TEXT NOT NULL DEFAULT '',
    "fromAddress" TEXT NOT NULL DEFAULT '',
    "fromName" TEXT NOT NULL DEFAULT '',
    "sentAt" TIMESTAMP(3),
    "fetchedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "state" TEXT NOT NULL,
    "reason" TEXT,
    "extractState" TEXT NOT NULL DEFAULT 'pending',
    "bodyText" TEXT,
    "bodyHtml" TEXT,
    "afterFetchDone" BOOLEAN NOT NULL DEFAULT false,
    "imported" BOOLEAN NOT NULL DEFAULT false,
    "requestId" TEXT,

    CONSTRAINT "IngestedMail_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Request" (
    "id" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "mailboxId" TEXT,
    "subject" TEXT NOT NULL,
    "fromAddress" TEXT NOT NULL,
    "fromName" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL DEFAULT 'open',
    "messageCount" INTEGER NOT NULL DEFAULT 1,
    "lastMessageAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Request_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RequestMessage" (
    "id" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "ingestId" TEXT NOT NULL,
    "messageId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RequestMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MailAttachment" (
    "id" TEXT NOT NULL,
    "ingestId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "filename" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "storagePath" TEXT NOT NULL,

    CONSTRAINT "MailAttachment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutgoingServer" (
    "id" TEXT NOT NULL DEFAULT 'default',
    "protocol" TEXT NOT NULL DEFAULT 'smtp',
    "host" TEXT NOT NULL DEFAULT '',
    "alternateHost" TEXT NOT NULL DEFAULT '',
    "port" INTEGER NOT NULL DEFAULT 587,
    "connectUrl" TEXT,
    "enableTls" BOOLEAN NOT NULL DEFAULT true,
    "authType" TEXT NOT NULL DEFAULT 'oauth',
    "username" TEXT NOT NULL DEFAULT '',
    "password" TEXT,
    "senderName" TEXT NOT NULL DEFAULT '',
    "replyTo" TEXT NOT NULL DEFAULT '',
    "maxEmailSizeMb" INTEGER NOT NULL DEFAULT 25,
    "contactEmail" TEXT NOT NULL DEFAULT '',
    "debug" BOOLEAN NOT NULL DEFAULT false,
    "connectionId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'new',
    "lastError" TEXT,
    "lastErrorHint" TEXT,
    "lastSentAt" TIMESTAMP(3),
    "incidentSince" TIMESTAMP(3),
    "incidentNotifiedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OutgoingServer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "phase" TEXT,
    "fromAddress" TEXT NOT NULL,
    "toAddresses" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "inReplyTo" TEXT,
    "references" TEXT,
    "requestId" TEXT,
    "raw" BYTEA NOT NULL,
    "sizeBytes" INTEGER NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 8,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "hint" TEXT,
    "needsReview" BOOLEAN NOT NULL DEFAULT false,
    "server" TEXT,
    "queueId" TEXT,
    "response" TEXT,
    "sentAt" TIMESTAMP(3),
    "userId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OutboxMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "IngestedMail_mailboxId_fetchedAt_idx" ON "IngestedMail"("mailboxId", "fetchedAt");

-- CreateIndex
CREATE INDEX "IngestedMail_extractState_idx" ON "IngestedMail"("extractState");

-- CreateIndex
CREATE INDEX "IngestedMail_mailboxId_afterFetchDone_idx" ON "IngestedMail"("mailboxId", "afterFetchDone");

-- CreateIndex
CREATE INDEX "IngestedMail_messageId_idx" ON "IngestedMail"("messageId");

-- CreateIndex
CREATE UNIQUE INDEX "IngestedMail_mailboxId_sourceKey_key" ON "IngestedMail"("mailboxId", "sourceKey");

-- CreateIndex
CREATE UNIQUE INDEX "IngestedMail_mailboxId_dedupeKey_key" ON "IngestedMail"("mailboxId", "dedupeKey");

-- CreateIndex
CREATE UNIQUE INDEX "Request_number_key" ON "Request"("number");

-- CreateIndex
CREATE INDEX "Request_lastMessageAt_idx" ON "Request"("lastMessageAt");

-- CreateIndex
CREATE INDEX "Request_mailboxId_lastMessageAt_idx" ON "Request"("mailboxId", "lastMessageAt");

-- CreateIndex
CREATE INDEX "Request_status_lastMessageAt_idx" ON "Request"("status", "lastMessageAt");

-- CreateIndex
CREATE UNIQUE INDEX "RequestMessage_ingestId_key" ON "RequestMessage"("ingestId");

-- CreateIndex
CREATE INDEX "RequestMessage_messageId_idx" ON "RequestMessage"("messageId");

-- CreateIndex
CREATE INDEX "RequestMessage_requestId_createdAt_idx" ON "RequestMessage"("requestId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "MailAttachment_ingestId_position_key" ON "MailAttachment"("ingestId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "OutboxMessage_idempotencyKey_key" ON "OutboxMessage"("idempotencyKey");

-- CreateIndex
CREATE INDEX "OutboxMessage_state_nextAttemptAt_idx" ON "OutboxMessage"("state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "FetchRun_outgoingServerId_startedAt_idx" ON "FetchRun"("outgoingServerId", "startedAt");

-- CreateIndex
CREATE INDEX "FetchRun_startedAt_idx" ON "FetchRun"("startedAt");

-- AddForeignKey
ALTER TABLE "IngestedMail" ADD CONSTRAINT "IngestedMail_mailboxId_fkey" FOREIGN KEY ("mailboxId") REFERENCES "IncomingMailbox"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IngestedMail" ADD CONSTRAINT "IngestedMail_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "Request"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Request" ADD CONSTRAINT "Request_mailboxId_fkey" FOREIGN KEY ("mailboxId") REFERENCES "IncomingMailbox"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RequestMessage" ADD CONSTRAINT "RequestMessage_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "Request"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RequestMessage" ADD CONSTRAINT "RequestMessage_ingestId_fkey" FOREIGN KEY ("ingestId") REFERENCES "IngestedMail"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MailAttachment" ADD CONSTRAINT "MailAttachment_ingestId_fkey" FOREIGN KEY ("ingestId") REFERENCES "IngestedMail"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FetchRun" ADD CONSTRAINT "FetchRun_outgoingServerId_fkey" FOREIGN KEY ("outgoingServerId") REFERENCES "OutgoingServer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutgoingServer" ADD CONSTRAINT "OutgoingServer_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "OAuthConnection"("id") ON DELETE SET NULL ON UPDATE CASCADE;

