-- CreateIndex
CREATE INDEX "FetchRun_startedAt_idx" ON "FetchRun"("startedAt");

