-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "OAuthConnection_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "OAuthApplication" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_OAuthConnection" ("accessToken", "accessTokenExpiresAt", "applicationId", "createdAt", "direction", "grantType", "grantedScope", "id", "loginHint", "password", "refreshLeaseOwner", "refreshLeaseUntil", "refreshToken", "refreshTokenExpiresAt", "refreshTokenIssuedAt", "refreshTokenLastUsedAt", "scope", "status", "statusHint", "statusReason", "subject", "tokenUser", "tokenVersion", "updatedAt") SELECT "accessToken", "accessTokenExpiresAt", "applicationId", "createdAt", "direction", "grantType", "grantedScope", "id", "loginHint", "password", "refreshLeaseOwner", "refreshLeaseUntil", "refreshToken", "refreshTokenExpiresAt", "refreshTokenIssuedAt", "refreshTokenLastUsedAt", "scope", "status", "statusHint", "statusReason", "subject", "tokenUser", "tokenVersion", "updatedAt" FROM "OAuthConnection";
DROP TABLE "OAuthConnection";
ALTER TABLE "new_OAuthConnection" RENAME TO "OAuthConnection";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

