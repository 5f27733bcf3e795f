-- AlterTable
ALTER TABLE "OAuthState" ADD COLUMN "pendingChange" TEXT;

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
CREATE TABLE "new_OAuthApplication" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "preset" TEXT NOT NULL,
    "cloud" TEXT NOT NULL DEFAULT 'global',
    "tenant" TEXT NOT NULL DEFAULT '',
    "clientId" TEXT NOT NULL,
    "clientSecret" TEXT,
    "clientAuthMethod" TEXT NOT NULL DEFAULT 'client_secret_post',
    "privateKey" TEXT,
    "privateKeyId" TEXT,
    "issuer" TEXT,
    "authorizeUrl" TEXT NOT NULL DEFAULT '',
    "tokenUrl" TEXT NOT NULL DEFAULT '',
    "revocationUrl" TEXT,
    "tokenExpiryMarginSec" INTEGER NOT NULL DEFAULT 300,
    "secretExpiresOn" DATETIME,
    "scope" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_OAuthApplication" ("authorizeUrl", "clientAuthMethod", "clientId", "clientSecret", "cloud", "createdAt", "id", "issuer", "name", "preset", "privateKey", "privateKeyId", "revocationUrl", "secretExpiresOn", "tenant", "tokenExpiryMarginSec", "tokenUrl", "updatedAt") SELECT "authorizeUrl", "clientAuthMethod", "clientId", "clientSecret", "cloud", "createdAt", "id", "issuer", "name", "preset", "privateKey", "privateKeyId", "revocationUrl", "secretExpiresOn", "tenant", "tokenExpiryMarginSec", "tokenUrl", "updatedAt" FROM "OAuthApplication";
DROP TABLE "OAuthApplication";
ALTER TABLE "new_OAuthApplication" RENAME TO "OAuthApplication";
CREATE TABLE "new_OAuthConnection" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "applicationId" TEXT NOT NULL,
    "direction" TEXT NOT NULL DEFAULT 'incoming',
    "grantType" TEXT NOT NULL,
    "scope" TEXT NOT NULL DEFAULT '',
    "loginHint" TEXT,
    "subject" TEXT,
    "password" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "statusReason" TEXT,
    "statusHint" TEXT,
    "accessToken" TEXT,
    "accessTokenExpiresAt" DATETIME,
    "refreshToken" TEXT,
    "refreshTokenIssuedAt" DATETIME,
    "refreshTokenExpiresAt" DATETIME,
    "refreshTokenLastUsedAt" DATETIME,
    "grantedScope" TEXT,
    "tokenUser" TEXT,
    "refreshLeaseOwner" TEXT,
    "refreshLeaseUntil" DATETIME,
    "refreshFailures" INTEGER NOT NULL DEFAULT 0,
    "refreshRetryAt" DATETIME,
    "tokenVersion" INTEGER NOT NULL DEFAULT 0,
    "pendingChange" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "OAuthConnection_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "OAuthApplication" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_OAuthConnection" ("accessToken", "accessTokenExpiresAt", "applicationId", "createdAt", "direction", "grantType", "grantedScope", "id", "loginHint", "password", "refreshLeaseOwner", "refreshLeaseUntil", "refreshToken", "refreshTokenExpiresAt", "refreshTokenIssuedAt", "refreshTokenLastUsedAt", "scope", "status", "statusHint", "statusReason", "subject", "tokenUser", "tokenVersion", "updatedAt") SELECT "accessToken", "accessTokenExpiresAt", "applicationId", "createdAt", "direction", "grantType", "grantedScope", "id", "loginHint", "password", "refreshLeaseOwner", "refreshLeaseUntil", "refreshToken", "refreshTokenExpiresAt", "refreshTokenIssuedAt", "refreshTokenLastUsedAt", "scope", "status", "statusHint", "statusReason", "subject", "tokenUser", "tokenVersion", "updatedAt" FROM "OAuthConnection";
DROP TABLE "OAuthConnection";
ALTER TABLE "new_OAuthConnection" RENAME TO "OAuthConnection";
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
CREATE INDEX "FetchRun_startedAt_idx" ON "FetchRun"("startedAt");
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

-- CreateIndex
CREATE UNIQUE INDEX "OutboxMessage_idempotencyKey_key" ON "OutboxMessage"("idempotencyKey");

-- CreateIndex
CREATE INDEX "OutboxMessage_state_nextAttemptAt_idx" ON "OutboxMessage"("state", "nextAttemptAt");

