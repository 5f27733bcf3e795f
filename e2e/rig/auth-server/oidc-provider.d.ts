// The part of oidc-provider 9's API the rig's authorization server uses (the package ships no types).
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  export type Params = Record<string, string | string[] | undefined>;

  export interface ClientModel {
    clientId: string;
    clientName?: string;
    clientAuthMethod: string;
    grantTypeAllowed(type: string): boolean;
    redirectUriAllowed(uri: string): boolean;
  }

  export interface ResourceServerInfo {
    scope: string;
    audience?: string;
    accessTokenTTL?: number;
    accessTokenFormat?: "jwt" | "opaque";
    jwt?: { sign?: { alg?: string; kid?: string } };
  }

  export interface ResourceServer {
    identifier(): string;
    audience?: string;
    scope: string;
    readonly scopes: Set<string>;
  }

  export interface TokenModel {
    jti: string;
    kind: string;
    accountId?: string;
    clientId?: string;
    grantId?: string;
    gty?: string;
    scope?: string;
    resource?: string | string[];
    resourceServer?: ResourceServer;
    readonly scopes: Set<string>;
    readonly expiration: number;
    readonly tokenType: string;
    save(): Promise<string>;
  }

  export interface TokenClass<T extends TokenModel = TokenModel> {
    new (fields: Record<string, unknown>): T;
    find(value: string, opts?: { ignoreExpiration?: boolean }): Promise<T | undefined>;
  }

  export interface GrantModel {
    jti: string;
    accountId: string;
    clientId: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    getOIDCScope(): string;
    save(): Promise<string>;
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Params;
    session?: { accountId?: string };
    grantId?: string;
    lastSubmission?: Record<string, unknown>;
  }

  export interface OIDCContext {
    params: Params;
    client?: ClientModel;
    route?: string;
    entities: Record<string, (TokenModel & GrantModel) | undefined>;
    readonly requestParamScopes: Set<string>;
    urlFor(name: string): string;
  }

  export interface KoaContextWithOIDC {
    oidc: OIDCContext;
    req: IncomingMessage & { body?: unknown };
    res: ServerResponse;
    method: string;
    path: string;
    url: string;
    querystring: string;
    query: Record<string, string | string[] | undefined>;
    status: number;
    body: unknown;
    type: string;
    headers: Record<string, string | string[] | undefined>;
    state: Record<string, unknown>;
    ip: string;
    get(field: string): string;
    set(field: string, value: string): void;
    redirect(url: string): void;
    is(...types: string[]): string | false | null;
  }

  export type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>;

  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    proxy: boolean;
    use(middleware: Middleware): void;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    registerGrantType(
      name: string,
      handler: (ctx: KoaContextWithOIDC) => Promise<void>,
      params?: string | string[] | Set<string>,
      allowedDuplicateParameters?: string | string[],
    ): void;
    on(event: "access_token.issued" | "client_credentials.issued", listener: (token: TokenModel) => void): this;
    on(event: string, listener: (ctx: KoaContextWithOIDC, error: OIDCProviderError) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      opts?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    readonly AccessToken: TokenClass;
    readonly ClientCredentials: TokenClass;
    readonly RefreshToken: TokenClass;
    readonly Grant: {
      new (fields: { accountId: string; clientId: string }): GrantModel;
      find(id: string): Promise<GrantModel | undefined>;
    };
    readonly ResourceServer: new (identifier: string, info: ResourceServerInfo) => ResourceServer;
    readonly Client: { find(id: string): Promise<ClientModel | undefined> };
    readonly OIDCContext: {
      prototype: { clientJwtAuthExpectedAudience(this: OIDCContext & { ctx: KoaContextWithOIDC }): Set<string> };
    };
  }

  export class OIDCProviderError extends Error {
    error: string;
    error_description?: string;
    error_detail?: string;
    status: number;
    statusCode: number;
  }

  export const errors: {
    OIDCProviderError: typeof OIDCProviderError;
    InvalidGrant: new (detail?: string) => OIDCProviderError;
    InvalidRequest: new (description?: string) => OIDCProviderError;
    InvalidScope: new (description: string, scope?: string) => OIDCProviderError;
    InvalidTarget: new (description?: string) => OIDCProviderError;
    UnauthorizedClient: new (description?: string) => OIDCProviderError;
    CustomOIDCProviderError: new (error: string, description?: string) => OIDCProviderError;
  };

  export default Provider;
}
