// Public surface of outgoing mail (server-side): the adapters behind one interface, the outbox and its worker,
// and the settings service. Client components import the form schema from "./form-schema".
export type {
  OutgoingTransport,
  OutgoingAuth,
  OutgoingToken,
  OutgoingSettings,
  OutgoingProtocol,
  ComposedMessage,
  SendOutcome,
  TransportContext,
} from "./transport";
export { OUTGOING_PROTOCOLS } from "./transport";
export { createTransports, type TransportSettings } from "./create-transport";
export { attempt, type AttemptResult, type AttemptFailure } from "./attempt";
export { composeMessage, type MessageParts } from "./compose";
export {
  enqueueMail,
  retryOutboxMessage,
  cancelOutboxMessage,
  outboxCounts,
  OUTBOX_KINDS,
  OUTBOX_STATES,
  type EnqueueInput,
  type OutboxKind,
  type OutboxState,
} from "./outbox";
export { listOutbox, type OutboxListing } from "./outbox-list";
export { startOutboxWorker, type OutboxWorker, type OutboxWorkerOptions } from "./outbox-worker";
export { saveOutgoing, verifyOutgoing, sendTestMail, type OutgoingCheck } from "./outgoing-service";
export { getOutgoingForEdit, getOutgoingStatus, type OutgoingForEdit, type OutgoingStatusView } from "./outgoing-view";
export { outgoingBannerStatus } from "./banner-status";
