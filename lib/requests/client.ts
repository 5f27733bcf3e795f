// The client-safe entry of lib/requests: the reply form's schema, and the marker our own Message-IDs carry
// (the outbox composes them, the loop guard recognises them).
export { replySchema, type ReplyInput } from "./reply-schema";
export { OWN_MESSAGE_ID_MARKER } from "./loop-guard";
