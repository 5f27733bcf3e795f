-- CreateIndex
CREATE INDEX "IngestedMail_rawPath_idx" ON "IngestedMail"("rawPath");

