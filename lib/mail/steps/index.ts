// Public surface of the connection steps shared by incoming and outgoing mail: the recorder, its error, and
// what an error thrown by a library tells.
export {
  StepRecorder,
  MailStepError,
  factsOf,
  isInternalError,
  STEP_NAMES,
  type Step,
  type StepName,
  type ErrorFacts,
} from "./step-recorder";
