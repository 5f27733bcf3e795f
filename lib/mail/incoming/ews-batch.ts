// Many EWS items' MIME in one GetItem (IncludeMimeContent): the ids are cut into requests bounded in count and
// in listed bytes; a message larger than a request's byte bound is read alone, streamed as before. EWS
// answers one GetItemResponseMessage per ItemId, in request order, each with its own ResponseClass, so a
// message that is gone fails alone.
import { elementTexts } from "./ews-soap";
import { HttpError } from "./https-client";
import type { ListedMessage } from "./source";

export const EWS_BATCH_ITEMS = 16;
export const EWS_BATCH_BYTES = 8 * 1024 * 1024;

/** Requests of at most EWS_BATCH_ITEMS ids and EWS_BATCH_BYTES listed bytes; `alone`: read it by itself. */
export function ewsChunks(messages: ListedMessage[]): { messages: ListedMessage[]; alone: boolean }[] {
  const chunks: { messages: ListedMessage[]; alone: boolean }[] = [];
  let current: ListedMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = message.size ?? message.sizeAtMost ?? 0;
    if (size > EWS_BATCH_BYTES) {
      chunks.push({ messages: [message], alone: true });
      continue;
    }
    if (current.length >= EWS_BATCH_ITEMS || (current.length > 0 && bytes + size > EWS_BATCH_BYTES)) {
      chunks.push({ messages: current, alone: false });
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) chunks.push({ messages: current, alone: false });
  return chunks;
}

/** Per requested id (in order): its MIME, or the error EWS answered for it. */
export function parseGetMimes(xml: string, ids: string[]): (Buffer | Error)[] {
  const pattern =
    /<(?:[\w-]+:)?GetItemResponseMessage\s[^>]*?ResponseClass="(\w+)"[^>]*>([\s\S]*?)<\/(?:[\w-]+:)?GetItemResponseMessage>/g;
  const answers = [...xml.matchAll(pattern)];
  return ids.map((id, index) => {
    const answer = answers[index];
    if (!answer) return new HttpError("EWS left an item of the GetItem unanswered", 502, `no answer for ${id}`);
    const [, responseClass, inner] = answer;
    const mime = elementTexts(inner, "MimeContent")[0];
    if (responseClass !== "Error" && mime !== undefined) return Buffer.from(mime.replace(/\s+/g, ""), "base64");
    const code = elementTexts(inner, "ResponseCode")[0] ?? "Error";
    const text = elementTexts(inner, "MessageText")[0] ?? "no MIME content";
    return new HttpError(`EWS: ${code}`, 500, `${code}: ${text}`);
  });
}
