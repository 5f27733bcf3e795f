// The bounded parse keeps what it produced when it must stop: at its deadline, with the headers read so far.
import { describe, expect, it } from "vitest";
import { manyAttachmentsMail } from "@/e2e/support/hostile-mail";
import { ParseDeadlineError, parseMime } from "./mime-parse";

describe("parseMime", () => {
  it("stops at its deadline and keeps the headers it read", async () => {
    const result = await parseMime(Buffer.from(manyAttachmentsMail("slow", 400)), 1);
    expect(result.error).toBeInstanceOf(ParseDeadlineError);
    expect(result.attachmentCount).toBeLessThan(400);
  });

  it("lists at most 100 attachments by name but counts them all", async () => {
    const result = await parseMime(Buffer.from(manyAttachmentsMail("many", 300)));
    expect(result.error).toBeNull();
    expect(result.attachmentCount).toBe(300);
    expect(result.attachments).toHaveLength(100);
    expect(result.attachments[0]).toEqual({ filename: "f0.bin", contentType: "application/octet-stream", size: 1 });
  });
});
