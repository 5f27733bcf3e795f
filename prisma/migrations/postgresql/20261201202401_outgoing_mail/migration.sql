-- AlterTable
ALTER TABLE "FetchRun" ADD COLUMN     "outgoingServerId" TEXT;

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
CREATE UNIQUE INDEX "OutboxMessage_idempotencyKey_key" ON "OutboxMessage"("idempotencyKey");

-- CreateIndex
CREATE INDEX "OutboxMessage_state_nextAttemptAt_idx" ON "OutboxMessage"("state", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "FetchRun_outgoingServerId_startedAt_idx" ON "FetchRun"("outgoingServerId", "startedAt");

-- AddForeignKey
ALTER TABLE "FetchRun" ADD CONSTRAINT "FetchRun_outgoingServerId_fkey" FOREIGN KEY ("outgoingServerId") REFERENCES "OutgoingServer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OutgoingServer" ADD CONSTRAINT "OutgoingServer_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "OAuthConnection"("id") ON DELETE SET NULL ON UPDATE CASCADE;

