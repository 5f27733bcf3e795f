-- AlterTable (SQLite adds a NOT NULL column with a constant default in place: no table rebuild)
ALTER TABLE "OAuthApplication" ADD COLUMN "scope" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "OAuthConnection" ADD COLUMN "pendingChange" TEXT;

-- AlterTable
ALTER TABLE "OAuthState" ADD COLUMN "pendingChange" TEXT;
