// The provider's side of a connection, step by step, with the admin's own values filled in. Pure and
// client-safe: the settings pages render it as the admin types; the unit tests read it as text.
import { GUIDE_ANCHORS as A } from "./guide-anchors";
import { googleSteps } from "./setup-guide-google";
import { microsoftSteps } from "./setup-guide-microsoft";
import type { GuideInput, GuideStep } from "./setup-guide-types";

export * from "./setup-guide-types";

export function providerSetupGuide(input: GuideInput): GuideStep[] {
  if (input.preset.startsWith("microsoft")) return microsoftSteps(input);
  if (input.preset.startsWith("google")) return googleSteps(input);
  const steps: GuideStep[] = [
    {
      id: A.genericClient,
      title: "Register a client at the provider",
      text: [
        input.grantType === "authorization_code"
          ? "Create an OAuth client (confidential, with a secret) and register exactly this Redirect URL:"
          : "Create an OAuth client allowed to use the grant chosen above.",
        "Allow the scope the mail server expects for the mailbox, and enter the client's ID and secret in the fields above.",
      ],
      values: [
        ...(input.grantType === "authorization_code" ? [input.redirectUrl] : []),
        ...(input.scope ? [input.scope] : []),
      ],
    },
  ];
  return steps;
}
