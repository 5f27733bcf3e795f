-- CreateTable
CREATE TABLE "OutgoingServer" (
    "id" TEXT NOT NULL PRIMARY KEY DEFAULT 'default',
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
    "lastSentAt" DATETIME,
    "incidentSince" DATETIME,
    "incidentNotifiedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "OutgoingServer_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "OAuthConnection" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "raw" BLOB NOT NULL,
    "sizeBytes" INTEGER NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 8,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "lastError" TEXT,
    "hint" TEXT,
    "needsReview" BOOLEAN NOT NULL DEFAULT false,
    "server" TEXT,
    "queueId" TEXT,
    "response" TEXT,
    "sentAt" DATETIME,
    "userId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_FetchRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "mailboxId" TEXT,
    "kind" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "ok" BOOLEAN NOT NULL DEFAULT false,
    "steps" TEXT NOT NULL DEFAULT '[]',
    "error" TEXT,
    "hint" TEXT,
    "mailsFetched" INTEGER NOT NULL DEFAULT 0,
    "transcript" TEXT,
    "transcriptBytes" INTEGER NOT NULL DEFAULT 0,
    "userId" TEXT,
    "outgoingServerId" TEXT,
    CONSTRAINT "FetchRun_mailboxId_fkey" FOREIGN KEY ("mailboxId") REFERENCES "IncomingMailbox" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "FetchRun_outgoingServerId_fkey" FOREIGN KEY ("outgoingServerId") REFERENCES "OutgoingServer" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_FetchRun" ("error", "finishedAt", "hint", "id", "kind", "mailboxId", "mailsFetched", "ok", "startedAt", "steps", "transcript", "transcriptBytes", "userId") SELECT "error", "finishedAt", "hint", "id", "kind", "mailboxId", "mailsFetched", "ok", "startedAt", "steps", "transcript", "transcriptBytes", "userId" FROM "FetchRun";
DROP TABLE "FetchRun";
ALTER TABLE "new_FetchRun" RENAME TO "FetchRun";
CREATE INDEX "FetchRun_mailboxId_startedAt_idx" ON "FetchRun"("mailboxId", "startedAt");
CREATE INDEX "FetchRun_outgoingServerId_startedAt_idx" ON "FetchRun"("outgoingServerId", "startedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "OutboxMessage_idempotencyKey_key" ON "OutboxMessage"("idempotencyKey");

-- CreateIndex
CREATE INDEX "OutboxMessage_state_nextAttemptAt_idx" ON "OutboxMessage"("state", "nextAttemptAt");

