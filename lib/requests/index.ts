import "server-only";
// Mail to requests: the decisions the fetcher makes per mail (key headers, loop guard, threading) and the
// queries behind the Requests pages.
// The fetcher's part (key headers, loop guard, threading, where stored files live) is its own entry, ingest.ts.
export * from "./ingest";
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
export { openStoredFile, readStoredFile } from "./stored-files";
export { mailHtmlResponse, attachmentResponse, rawMailResponse, forViewer } from "./mail-responses";
export { sendReply, listReplies, replySubject } from "./replies";
export { replySchema, type ReplyInput } from "./reply-schema";
