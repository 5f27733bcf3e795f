// One bounded pass of mailparser over a buffer, keeping whatever it produced before it stopped: the headers,
// the text and HTML, and the attachments' names and sizes (their content is counted, never kept).
import { MailParser, type AddressObject, type HeaderLines, type Headers } from "mailparser";

export const MAX_HEAD_SIZE = 256 * 1024;
export const MAX_CHILD_NODES = 500;
const MAX_HTML_TO_PARSE = 2 * 1024 * 1024;
/** attachments listed by name; the rest are only counted */
export const MAX_LISTED_ATTACHMENTS = 100;
/** a parse that takes longer is stopped, keeping what it produced */
export const PARSE_DEADLINE_MS = 15_000;

export class ParseDeadlineError extends Error {
  constructor() {
    super(`parsing took longer than ${PARSE_DEADLINE_MS / 1000} s`);
    this.name = "ParseDeadlineError";
  }
}

export type ParsedAttachment = { filename: string; contentType: string; size: number };

export type MimeParse = {
  headers: Headers | null;
  headerLines: HeaderLines;
  text: string | null;
  html: string | null;
  attachments: ParsedAttachment[];
  attachmentCount: number;
  /** why the parser stopped early; null when it read everything */
  error: Error | null;
};

export function addressText(value: unknown): string {
  if (!value) return "";
  const list = (Array.isArray(value) ? value : [value]) as AddressObject[];
  return list
    .map((a) => (typeof a?.text === "string" ? a.text : ""))
    .filter(Boolean)
    .join(", ");
}

export function parseMime(raw: Buffer, deadlineMs = PARSE_DEADLINE_MS): Promise<MimeParse> {
  const result: MimeParse = {
    headers: null,
    headerLines: [],
    text: null,
    html: null,
    attachments: [],
    attachmentCount: 0,
    error: null,
  };
  const parser = new MailParser({
    skipHtmlToText: false,
    skipTextToHtml: true,
    skipImageLinks: true,
    maxHtmlLengthToParse: MAX_HTML_TO_PARSE,
    // passed on to the MIME splitter
    ...({ maxHeadSize: MAX_HEAD_SIZE, maxChildNodes: MAX_CHILD_NODES } as object),
  });
  return new Promise((resolve) => {
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      result.error ??= new ParseDeadlineError();
      settle();
      parser.destroy();
    }, deadlineMs);
    parser.on("headers", (headers: Headers) => {
      result.headers = headers;
      result.headerLines = (parser as unknown as { headerLines: HeaderLines }).headerLines ?? [];
    });
    parser.on(
      "data",
      (data: {
        type: string;
        text?: string;
        html?: string | false;
        filename?: string;
        contentType?: string;
        content?: NodeJS.ReadableStream;
        release?: () => void;
      }) => {
        if (data.type === "text") {
          if (typeof data.text === "string") result.text = data.text;
          if (typeof data.html === "string") result.html = data.html;
          return;
        }
        result.attachmentCount++;
        const listed =
          result.attachmentCount <= MAX_LISTED_ATTACHMENTS
            ? {
                filename: data.filename ?? "(no name)",
                contentType: data.contentType ?? "application/octet-stream",
                size: 0,
              }
            : null;
        if (listed) result.attachments.push(listed);
        data.content?.on("data", (chunk: Buffer) => {
          if (listed) listed.size += chunk.length;
        });
        data.content?.on("end", () => data.release?.());
      },
    );
    parser.on("error", (error: Error) => {
      result.error = error;
      settle();
    });
    parser.on("end", settle);
    parser.end(raw);
  });
}
