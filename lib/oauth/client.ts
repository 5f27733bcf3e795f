// The client-safe entry of lib/oauth: what the OAuth form components need (schemas, presets, consent
// outcomes), nothing that reaches the database or a provider.
export * from "./connection-schema";
export * from "./application-schema";
export * from "./presets";
export * from "./consent-outcome";
export * from "./consent-codes";
export * from "./pasted-values";
export * from "./setup-guide";
export * from "./guide-anchors";
