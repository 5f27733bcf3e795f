import "server-only";
// Mail to requests: the decisions the fetcher makes per mail (key headers, loop guard, threading) and the
// queries behind the Requests pages.
export { readKeyHeaders, normalizeMessageId, MAX_HEADER_BYTES, type KeyHeaders } from "./mail-headers";
export { automaticMailReason, isOwnMessageId, OWN_MESSAGE_ID_MARKER } from "./loop-guard";
export { referencedMessageIds, taggedRequestNumber, requestTag } from "./threading";
export {
  listRequests,
  listOtherMail,
  getRequest,
  getMail,
  getMailHtml,
  getAttachment,
  getRawMail,
  requestListQuerySchema,
  REQUEST_STATUSES,
  MAIL_STATES,
  PAGE_SIZE,
  type RequestListQuery,
} from "./request-queries";
export { attachmentDisposition, MAIL_FRAME_CSP } from "./download-headers";
export {
  storedFilePath,
  mailboxFilesDir,
  openStoredFile,
  readStoredFile,
  readStoredFiles,
  rangeReference,
  resolveStoredReference,
} from "./stored-files";
export { mailHtmlResponse, attachmentResponse, rawMailResponse, forViewer } from "./mail-responses";
export { sendReply, listReplies, replySubject } from "./replies";
export { replySchema, type ReplyInput } from "./reply-schema";
