-- CreateIndex
CREATE INDEX "IngestedMail_requestId_fetchedAt_idx" ON "IngestedMail"("requestId", "fetchedAt");

