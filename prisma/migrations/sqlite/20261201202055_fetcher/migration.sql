-- CreateTable
CREATE TABLE "IngestedMail" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "sentAt" DATETIME,
    "fetchedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "state" TEXT NOT NULL,
    "reason" TEXT,
    "extractState" TEXT NOT NULL DEFAULT 'pending',
    "bodyText" TEXT,
    "bodyHtml" TEXT,
    "afterFetchDone" BOOLEAN NOT NULL DEFAULT false,
    "imported" BOOLEAN NOT NULL DEFAULT false,
    "requestId" TEXT,
    CONSTRAINT "IngestedMail_mailboxId_fkey" FOREIGN KEY ("mailboxId") REFERENCES "IncomingMailbox" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "IngestedMail_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "Request" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Request" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "number" INTEGER NOT NULL,
    "mailboxId" TEXT,
    "subject" TEXT NOT NULL,
    "fromAddress" TEXT NOT NULL,
    "fromName" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL DEFAULT 'open',
    "messageCount" INTEGER NOT NULL DEFAULT 1,
    "lastMessageAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Request_mailboxId_fkey" FOREIGN KEY ("mailboxId") REFERENCES "IncomingMailbox" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RequestMessage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "requestId" TEXT NOT NULL,
    "ingestId" TEXT NOT NULL,
    "messageId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RequestMessage_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "Request" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "RequestMessage_ingestId_fkey" FOREIGN KEY ("ingestId") REFERENCES "IngestedMail" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MailAttachment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "ingestId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "filename" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "storagePath" TEXT NOT NULL,
    CONSTRAINT "MailAttachment_ingestId_fkey" FOREIGN KEY ("ingestId") REFERENCES "IngestedMail" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_IncomingMailbox" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "protocol" TEXT NOT NULL,
    "startTls" BOOLEAN NOT NULL DEFAULT true,
    "authType" TEXT NOT NULL DEFAULT 'oauth',
    "host" TEXT NOT NULL DEFAULT '',
    "port" INTEGER NOT NULL DEFAULT 0,
    "connectUrl" TEXT,
    "username" TEXT NOT NULL DEFAULT '',
    "password" TEXT,
    "emailAddresses" TEXT NOT NULL DEFAULT '[]',
    "folder" TEXT NOT NULL DEFAULT 'INBOX',
    "afterFetch" TEXT NOT NULL DEFAULT 'leave',
    "moveToFolder" TEXT,
    "fetchIntervalMin" INTEGER NOT NULL DEFAULT 5,
    "debug" BOOLEAN NOT NULL DEFAULT false,
    "disableNewRequests" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "connectionId" TEXT,
    "cursor" TEXT,
    "status" TEXT NOT NULL DEFAULT 'new',
    "lastFetchAt" DATETIME,
    "nextFetchAt" DATETIME,
    "mailsFetched" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "lastErrorHint" TEXT,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "leaseEpoch" INTEGER NOT NULL DEFAULT 0,
    "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,
    "importSince" DATETIME,
    "baselineCursor" TEXT,
    "importTotal" INTEGER NOT NULL DEFAULT 0,
    "importDone" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "IncomingMailbox_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "OAuthConnection" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_IncomingMailbox" ("afterFetch", "authType", "connectUrl", "connectionId", "createdAt", "cursor", "debug", "disableNewRequests", "emailAddresses", "enabled", "fetchIntervalMin", "folder", "host", "id", "lastError", "lastErrorHint", "lastFetchAt", "leaseOwner", "leaseUntil", "mailsFetched", "moveToFolder", "name", "nextFetchAt", "password", "port", "protocol", "startTls", "status", "updatedAt", "username") SELECT "afterFetch", "authType", "connectUrl", "connectionId", "createdAt", "cursor", "debug", "disableNewRequests", "emailAddresses", "enabled", "fetchIntervalMin", "folder", "host", "id", "lastError", "lastErrorHint", "lastFetchAt", "leaseOwner", "leaseUntil", "mailsFetched", "moveToFolder", "name", "nextFetchAt", "password", "port", "protocol", "startTls", "status", "updatedAt", "username" FROM "IncomingMailbox";
DROP TABLE "IncomingMailbox";
ALTER TABLE "new_IncomingMailbox" RENAME TO "IncomingMailbox";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

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

