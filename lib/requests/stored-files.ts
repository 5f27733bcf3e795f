// Raw messages and attachments live as files under the data directory; the database holds their relative paths.
import { createReadStream } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { config } from "@/lib/config";

export function storedFilePath(relativePath: string): string {
  const root = path.resolve(config().dataDir);
  const full = path.resolve(root, relativePath);
  if (!full.startsWith(root + path.sep)) throw new Error("a stored path left the data directory");
  return full;
}

/** A stored file as a web stream, for a download response. */
export function openStoredFile(relativePath: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(storedFilePath(relativePath))) as ReadableStream<Uint8Array>;
}
