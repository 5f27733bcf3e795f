export { getAccessToken, ReconnectNeededError, type AccessToken } from "./token-service";
export { xoauth2, oauthBearer } from "./sasl";
export { explainOAuthError, isGrantGone, type OAuthErrorBody } from "./error-catalogue";
export { PRESETS, PRESET_LABELS, presetDefaults, type Preset, type Cloud, type MailProtocol, type GrantType, type PresetDefaults } from "./presets";
