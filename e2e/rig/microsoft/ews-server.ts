// Exchange Web Services as the rig double: SOAP over HTTPS at /EWS/Exchange.asmx. Bearer tokens are checked by
// introspection (resource "ews"); a bad token gets Exchange's 401 with its x-ms-diagnostics header. App-only
// tokens must name the mailbox in ExchangeImpersonation; delegated tokens act as their user and may open a
// mailbox they are a delegate of through <t:Mailbox> in a DistinguishedFolderId.
import type http from "node:http";
import { checkMailboxAccess, readClaims, tokenPrefix, tokenUser, type Introspect } from "./access";
import { EWS_OPERATIONS, type EwsContext } from "./ews-operations";
import { bearerToken, readBody } from "./http-util";
import type { Logger } from "./logger";
import type { MailboxDirectory } from "./mailbox-directory";
import type { Outbox } from "./sent-mail";
import { child, descendant, parseXml, textOf, XmlError, type XmlElement } from "./xml";

export type EwsOptions = {
  directory: MailboxDirectory;
  introspect: Introspect;
  outbox: Outbox;
  log: Logger;
  /** the back-off (ms) to answer this mailbox's request with ErrorServerBusy, or null to serve it (see control.ts) */
  busy?: (mailbox: string) => number | null;
};

export const NS = {
  soap: "http://schemas.xmlsoap.org/soap/envelope/",
  messages: "http://schemas.microsoft.com/exchange/services/2006/messages",
  types: "http://schemas.microsoft.com/exchange/services/2006/types",
  errors: "http://schemas.microsoft.com/exchange/services/2006/errors",
};

const EXCHANGE_AUDIENCES = [
  "https://outlook.office.com",
  "https://outlook.office365.com",
  "00000002-0000-0ff1-ce00-000000000000",
];

class SoapFault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 500,
  ) {
    super(message);
  }
}

export async function handleEws(req: http.IncomingMessage, res: http.ServerResponse, opts: EwsOptions): Promise<void> {
  const url = new URL(req.url ?? "/", "https://ews.invalid");
  if (url.pathname.toLowerCase() !== "/ews/exchange.asmx") {
    res.writeHead(404, { "content-type": "text/html" }).end("<html><body>404 Not Found</body></html>");
    return;
  }
  if (req.method !== "POST") {
    res.writeHead(405, { allow: "POST" }).end();
    return;
  }
  const token = bearerToken(req);
  if (!token) {
    unauthorized(res, null);
    return;
  }
  const valid = await opts.introspect(token, "ews").catch(() => ({ active: false }) as Record<string, unknown>);
  if (valid.active !== true) {
    opts.log(`ews: token ${tokenPrefix(token)} refused`);
    unauthorized(res, diagnostics(token, `https://${req.headers.host ?? "127.0.0.1"}${url.pathname}`));
    return;
  }

  // Exchange's throttling: a SOAP fault (HTTP 500) whose MessageXml names how long to back off.
  const backOff = opts.busy?.(String(req.headers["x-anchormailbox"] ?? tokenUser(readClaims(token)) ?? ""));
  if (backOff !== undefined && backOff !== null) {
    await readBody(req);
    opts.log(`ews: ErrorServerBusy, back off ${backOff} ms`);
    sendXml(
      res,
      500,
      faultXml(
        "ErrorServerBusy",
        "The server cannot service this request right now. Try again later.",
        `<t:MessageXml xmlns:t="${NS.types}"><t:Value Name="BackOffMilliseconds">${backOff}</t:Value></t:MessageXml>`,
      ),
    );
    return;
  }

  try {
    const body = (await readBody(req)).toString("utf8");
    let envelope: XmlElement;
    try {
      envelope = parseXml(body);
    } catch (error) {
      if (error instanceof XmlError)
        throw new SoapFault("ErrorSchemaValidation", `The request failed schema validation: ${error.message}`);
      throw error;
    }
    const operation = child(envelope, "Body")?.children[0];
    if (envelope.name !== "Envelope" || !operation)
      throw new SoapFault("ErrorSchemaValidation", "The request failed schema validation: no SOAP body.");
    const handler = EWS_OPERATIONS[operation.name];
    if (!handler)
      throw new SoapFault(
        "ErrorInvalidRequest",
        `The request is invalid: operation ${operation.name} is not supported.`,
      );

    const context = await identify(req, token, child(envelope, "Header"), opts);
    const inner = await handler(operation, context);
    sendXml(
      res,
      200,
      envelopeXml(
        `<m:${operation.name}Response xmlns:m="${NS.messages}" xmlns:t="${NS.types}">${inner}</m:${operation.name}Response>`,
      ),
    );
  } catch (error) {
    if (!(error instanceof SoapFault)) opts.log(`ews: request failed: ${(error as Error).stack ?? error}`);
    const fault =
      error instanceof SoapFault
        ? error
        : new SoapFault("ErrorInternalServerError", "An internal server error occurred. The operation failed.");
    sendXml(res, fault.status, faultXml(fault.code, fault.message));
  }
}

/** Which mailbox the request acts on by default, and a cached access check for every mailbox it touches. */
async function identify(
  req: http.IncomingMessage,
  token: string,
  header: XmlElement | undefined,
  opts: EwsOptions,
): Promise<EwsContext> {
  const store = opts.directory.store;
  const user = tokenUser(readClaims(token));
  const sid = descendant(child(header, "ExchangeImpersonation"), "ConnectingSID");
  const impersonated = (
    textOf(child(sid, "SmtpAddress")) ||
    textOf(child(sid, "PrimarySmtpAddress")) ||
    textOf(child(sid, "PrincipalName"))
  ).toLowerCase();
  const anchor = String(req.headers["x-anchormailbox"] ?? "").toLowerCase();

  if (anchor && !(await store.hasMailbox(anchor))) {
    throw new SoapFault("ErrorNonExistentMailbox", "The SMTP address has no mailbox associated with it.");
  }
  let defaultMailbox: string;
  if (impersonated) {
    if (!(await store.hasMailbox(impersonated))) {
      throw new SoapFault("ErrorNonExistentMailbox", "The SMTP address has no mailbox associated with it.");
    }
    if (user && impersonated !== user) {
      throw new SoapFault(
        "ErrorImpersonateUserDenied",
        "The account does not have permission to impersonate the requested user.",
      );
    }
    const access = await checkMailboxAccess(opts.introspect, token, "ews", impersonated);
    if (!access.ok)
      throw new SoapFault(
        "ErrorImpersonateUserDenied",
        "The account does not have permission to impersonate the requested user.",
      );
    defaultMailbox = impersonated;
  } else if (!user) {
    throw new SoapFault(
      "ErrorInvalidExchangeImpersonationHeaderData",
      "ExchangeImpersonation SOAP header must be present for this type of OAuth token.",
    );
  } else {
    defaultMailbox = user;
  }

  const checked = new Map<string, Promise<{ code: string; text: string } | null>>();
  return {
    opts,
    token,
    defaultMailbox,
    access(mailbox: string) {
      const key = mailbox.toLowerCase();
      let result = checked.get(key);
      if (!result) {
        result = (async () => {
          if (!(await store.hasMailbox(key))) {
            return { code: "ErrorNonExistentMailbox", text: "The SMTP address has no mailbox associated with it." };
          }
          const access = await checkMailboxAccess(opts.introspect, token, "ews", key);
          return access.ok
            ? null
            : { code: "ErrorAccessDenied", text: "Access is denied. Check credentials and try again." };
        })();
        checked.set(key, result);
      }
      return result;
    },
  };
}

function diagnostics(token: string, requestUrl: string): string {
  const claims = readClaims(token);
  if (!claims) return '2000001;reason="The token is not a valid JWT token.";error_category="invalid_token"';
  const audience = [claims.aud].flat()[0];
  if (typeof audience !== "string" || !EXCHANGE_AUDIENCES.includes(audience.replace(/\/$/, ""))) {
    return `2000003;reason="The audience claim value is invalid for current resource. Audience claim is '${audience}', request url is '${requestUrl}' and resource type is 'Exchange'.";error_category="invalid_resource"`;
  }
  if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now()) {
    return '2000008;reason="The token has expired.";error_category="invalid_token"';
  }
  return '2000001;reason="The token is not valid: it was revoked or its signature does not verify.";error_category="invalid_token"';
}

function unauthorized(res: http.ServerResponse, diagnostic: string | null): void {
  const headers: Record<string, string> = {
    "www-authenticate":
      'Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*", token_types="app_asserted_user_v1 service_asserted_app_v1", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"' +
      (diagnostic ? ', error="invalid_token"' : ""),
    "content-length": "0",
  };
  if (diagnostic) headers["x-ms-diagnostics"] = diagnostic;
  res.writeHead(401, headers).end();
}

function sendXml(res: http.ServerResponse, status: number, xml: string): void {
  const body = Buffer.from(xml, "utf8");
  res.writeHead(status, { "content-type": "text/xml; charset=utf-8", "content-length": body.length });
  res.end(body);
}

function envelopeXml(body: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${NS.soap}"><s:Header>` +
    `<h:ServerVersionInfo MajorVersion="15" MinorVersion="20" MajorBuildNumber="8198" MinorBuildNumber="16" Version="V2018_01_08" xmlns:h="${NS.types}" xmlns="${NS.types}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>` +
    `</s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">${body}</s:Body></s:Envelope>`
  );
}

function faultXml(code: string, message: string, extraDetail = ""): string {
  const escaped = message.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return (
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${NS.soap}"><s:Body><s:Fault>` +
    `<faultcode xmlns:a="${NS.types}">a:${code}</faultcode><faultstring xml:lang="en-US">${escaped}</faultstring>` +
    `<detail><e:ResponseCode xmlns:e="${NS.errors}">${code}</e:ResponseCode><e:Message xmlns:e="${NS.errors}">${escaped}</e:Message>${extraDetail}</detail>` +
    `</s:Fault></s:Body></s:Envelope>`
  );
}
