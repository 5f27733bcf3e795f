-- CreateIndex
-- In the C collation: the orphan-file sweep asks for a prefix of rawPath as a range, which is exact only
-- bytewise (a locale's collation may order "<file>@…" outside it); its query compares in "C" as well.
CREATE INDEX "IngestedMail_rawPath_idx" ON "IngestedMail"("rawPath" COLLATE "C");
