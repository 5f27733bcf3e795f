// The anchor ids of the provider setup guide's steps: error hints link to the step that fixes them.
export const GUIDE_ANCHORS = {
  registerApp: "guide-register-app",
  clientSecret: "guide-client-secret",
  apiPermissions: "guide-api-permissions",
  adminConsent: "guide-admin-consent",
  servicePrincipal: "guide-service-principal",
  mailboxPermission: "guide-mailbox-permission",
  authenticatedSmtp: "guide-authenticated-smtp",
  googleConsentScreen: "guide-google-consent-screen",
  googleScope: "guide-google-scope",
  googleTestUsers: "guide-google-test-users",
  googlePublish: "guide-google-publish",
  googleClient: "guide-google-client",
  googleServiceAccount: "guide-google-service-account",
  domainWideDelegation: "guide-domain-wide-delegation",
  genericClient: "guide-generic-client",
} as const;
export type GuideAnchor = (typeof GUIDE_ANCHORS)[keyof typeof GUIDE_ANCHORS];
