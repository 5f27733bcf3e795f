-- AlterTable
ALTER TABLE "OAuthConnection" ADD COLUMN     "refreshFailures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "refreshRetryAt" TIMESTAMP(3);

