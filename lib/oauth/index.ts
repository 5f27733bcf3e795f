// Public surface of the OAuth concern. Client components import the schema and presets from their own files
// ("./connection-schema", "./presets"), which hold nothing server-only.
export { getAccessToken, ReconnectNeededError, type AccessToken } from "./token-service";
export { xoauth2, oauthBearer } from "./sasl";
export { explainOAuthError, isGrantGone, type OAuthErrorBody } from "./error-catalogue";
export {
  PRESETS,
  PRESET_LABELS,
  presetDefaults,
  type Preset,
  type Cloud,
  type MailProtocol,
  type GrantType,
  type PresetDefaults,
} from "./presets";
export {
  oauthFieldsSchema,
  type OAuthFieldsInput,
  type OAuthFieldsValues,
  type OAuthFieldsForEdit,
} from "./connection-schema";
export {
  saveOAuthConnection,
  discardPendingChange,
  getConnectionForEdit,
  deleteConnection,
  allExpiryWarnings,
  getConnectionStatus,
  type Direction,
} from "./connection-service";
export { listApplicationChoices, type ApplicationChoice } from "./application-choices";
export { listApplications, type ApplicationListing, type ConnectionListing } from "./application-list";
export {
  startAuthorization,
  completeAuthorization,
  consentReturnPath,
  redirectUri,
  type AuthorizationMode,
  type AuthorizationResult,
} from "./authorization";
export { expiryWarnings, type ExpiryWarning } from "./expiry-warnings";
export { discoverEndpoints, type DiscoveredEndpoints } from "./discovery";
export {
  createApplication,
  getApplicationForEdit,
  saveApplication,
  type ApplicationForEdit,
} from "./application-service";
export { applicationSchema, newApplicationSchema, type ApplicationInput } from "./application-schema";
export { outcomeOf, popupResponse, redirectResponse, scriptNonce } from "./callback-response";
