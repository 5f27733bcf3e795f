import "server-only";
// The responses behind the mail pages' frame and downloads: a stranger's HTML only sanitized and under a
// policy without script; files only as downloads, never sniffed or rendered.
import { sanitizeMailHtml } from "@/lib/mail/display";
import { attachmentDisposition, MAIL_FRAME_CSP } from "./download-headers";
import { getAttachment, getMailHtml, getRawMail } from "./request-queries";
import { openStoredFile } from "./stored-files";

const NOT_FOUND = () =>
  new Response("Not found.", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });

export async function mailHtmlResponse(id: string): Promise<Response> {
  const html = await getMailHtml(id);
  if (html === null) return NOT_FOUND();
  const page = `<!doctype html><meta charset="utf-8"><base target="_blank">${sanitizeMailHtml(html)}`;
  return new Response(page, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": MAIL_FRAME_CSP,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cache-control": "private, no-store",
    },
  });
}

function download(relativePath: string, filename: string, size: number): Response {
  return new Response(openStoredFile(relativePath), {
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(size),
      "content-disposition": attachmentDisposition(filename),
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
      "cache-control": "private, no-store",
    },
  });
}

export async function attachmentResponse(id: string): Promise<Response> {
  const attachment = await getAttachment(id);
  return attachment ? download(attachment.storagePath, attachment.filename, attachment.size) : NOT_FOUND();
}

export async function rawMailResponse(id: string): Promise<Response> {
  const mail = await getRawMail(id);
  return mail?.rawPath ? download(mail.rawPath, `${id}.eml`, mail.rawSize) : NOT_FOUND();
}

/** Route handlers answer 401 instead of rendering anything for a visitor who is not signed in. */
export async function forViewer(respond: () => Promise<Response>): Promise<Response> {
  // Loaded here, not at the top: the fetcher (worker processes) reads this concern without the web session stack.
  const { AccessDenied, requireUser } = await import("@/lib/auth");
  try {
    await requireUser("viewer");
  } catch (error) {
    if (error instanceof AccessDenied) return new Response("Sign in first.", { status: 401 });
    throw error;
  }
  return respond();
}
