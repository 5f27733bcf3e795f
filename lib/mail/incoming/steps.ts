// The step recorder is shared by incoming and outgoing mail; it lives in lib/mail/steps.
export {
  StepRecorder,
  MailStepError,
  factsOf,
  isInternalError,
  STEP_NAMES,
  type Step,
  type StepName,
  type ErrorFacts,
} from "@/lib/mail/steps";
