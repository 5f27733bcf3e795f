-- AlterTable
ALTER TABLE "OAuthApplication" ADD COLUMN     "scope" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "OAuthConnection" ADD COLUMN     "pendingChange" TEXT;

-- AlterTable
ALTER TABLE "OAuthState" ADD COLUMN     "pendingChange" TEXT;

