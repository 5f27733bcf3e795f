-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_OAuthConnection" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "applicationId" TEXT NOT NULL,
    "direction" TEXT NOT NULL DEFAULT 'incoming',
    "grantType" TEXT NOT NULL,
    "scope" TEXT NOT NULL DEFAULT 'openid',
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
    "folder" TEXT NOT NULL DEFAULT 'Inbox',
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
INSERT INTO "new_IncomingMailbox" ("afterFetch", "authType", "connectUrl", "connectionId", "createdAt", "cursor", "debug", "disableNewRequests", "emailAddresses", "enabled", "fetchIntervalMin", "folder", "host", "id", "lastError", "lastErrorHint", "lastFetchAt", "leaseOwner", "leaseUntil", "mailsFetched", "moveToFolder", "name", "nextFetchAt", "password", "port", "protocol", "startTls", "status", "updatedAt", "username") SELECT "afterFetch", "authType", "connectUrl", "connectionId", "createdAt", "cursor", "debug", "disableNewRequests", "emailAddresses", "enabled", "fetchIntervalMin", "folder", "host", "id", "lastError", "lastErrorHint", "lastFetchAt", "leaseOwner", "leaseUntil", "mailsFetched", "moveToFolder", "name", "nextFetchAt", "password", "port", "protocol", "startTls", "status", "updatedAt", "username" FROM "IncomingMailbox";
DROP TABLE "IncomingMailbox";
ALTER TABLE "new_IncomingMailbox" RENAME TO "IncomingMailbox";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

