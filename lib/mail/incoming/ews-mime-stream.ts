// Pulls the base64 <MimeContent> out of a streamed GetItem answer and decodes it on the fly, so a large
// message never sits whole in memory. Anything else in the answer is kept (bounded) to report errors.
import { Transform, type TransformCallback } from "node:stream";
import { ewsError } from "./ews-soap";

const OPEN_TAG = /<(?:[\w-]+:)?MimeContent(?:\s[^>]*)?>/;
const KEEP_OUTSIDE = 64 * 1024;

export class EwsMimeExtractor extends Transform {
  private state: "before" | "inside" | "after" = "before";
  private head = "";
  private pending = "";
  private outside = "";

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let text = chunk.toString("latin1");
    if (this.state === "before") {
      this.head += text;
      const match = OPEN_TAG.exec(this.head);
      if (!match) {
        // Keep only what may still hold the start of the tag.
        if (this.head.length > KEEP_OUTSIDE) this.head = this.head.slice(-KEEP_OUTSIDE);
        return done();
      }
      text = this.head.slice(match.index + match[0].length);
      this.outside = this.head.slice(0, match.index).slice(-KEEP_OUTSIDE);
      this.head = "";
      this.state = "inside";
    }
    if (this.state === "inside") {
      const end = text.indexOf("<");
      const data = end < 0 ? text : text.slice(0, end);
      this.decode(data, end >= 0);
      if (end >= 0) {
        this.state = "after";
        this.outside += text.slice(end, end + KEEP_OUTSIDE);
      }
      return done();
    }
    if (this.outside.length < KEEP_OUTSIDE) this.outside += text.slice(0, KEEP_OUTSIDE - this.outside.length);
    done();
  }

  private decode(data: string, final: boolean): void {
    const clean = this.pending + data.replace(/[^A-Za-z0-9+/=]/g, "");
    const usable = final ? clean.length : clean.length - (clean.length % 4);
    if (usable > 0) this.push(Buffer.from(clean.slice(0, usable), "base64"));
    this.pending = clean.slice(usable);
  }

  override _flush(done: TransformCallback): void {
    if (this.state === "before") {
      const error = ewsError(this.head);
      return done(
        Object.assign(new Error(error ? `EWS: ${error.code}` : "EWS answered without the message's MIME content"), {
          response: error ? `${error.code}: ${error.text}` : this.head.slice(0, 500),
        }),
      );
    }
    if (this.state === "inside") return done(new Error("the EWS answer ended inside the MIME content"));
    done();
  }
}
