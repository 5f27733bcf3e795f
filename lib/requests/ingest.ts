import "server-only";
// The fetcher's entry: the decisions it makes per mail (key headers, loop guard, threading) and where stored files
// live, without the pages' queries, replies and responses behind index.ts (the ORM, outgoing mail, sanitizing):
// a fetcher process holds only what it uses.
export { readKeyHeaders, normalizeMessageId, MAX_HEADER_BYTES, type KeyHeaders } from "./mail-headers";
export { automaticMailReason, isOwnMessageId, OWN_MESSAGE_ID_MARKER } from "./loop-guard";
export { referencedMessageIds, taggedRequestNumber, requestTag } from "./threading";
export {
  storedFilePath,
  mailboxFilesDir,
  readStoredFiles,
  rangeReference,
  resolveStoredReference,
} from "./stored-files";
