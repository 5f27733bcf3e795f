-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'viewer',
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "sessionVersion" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "lastLoginAt" DATETIME
);

-- CreateTable
CREATE TABLE "LoginThrottle" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "windowStart" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "blockedUntil" DATETIME
);

-- CreateTable
CREATE TABLE "OAuthApplication" (
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "OAuthConnection" (
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
    "tokenVersion" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "OAuthConnection_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "OAuthApplication" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OAuthState" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "stateHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "codeVerifier" TEXT NOT NULL,
    "nonce" TEXT,
    "mode" TEXT NOT NULL DEFAULT 'popup',
    "returnTo" TEXT NOT NULL DEFAULT '/',
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "OAuthState_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "OAuthState_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "OAuthConnection" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "IncomingMailbox" (
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "IncomingMailbox_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "OAuthConnection" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FetchRun" (
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
    CONSTRAINT "FetchRun_mailboxId_fkey" FOREIGN KEY ("mailboxId") REFERENCES "IncomingMailbox" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "OAuthState_stateHash_key" ON "OAuthState"("stateHash");

-- CreateIndex
CREATE INDEX "FetchRun_mailboxId_startedAt_idx" ON "FetchRun"("mailboxId", "startedAt");

