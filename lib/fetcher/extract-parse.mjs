// What an extraction worker does with one job, in plain JavaScript so that it loads unbundled in every process
// (Next's server, tsx, vitest): parse a raw mail (text, capped HTML, attachments appended to the group's file,
// not yet synced), or sync a group's attachment files and their directories before the commit that names them.
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import { simpleParser } from "mailparser";
import { plainText } from "./extract-plain.mjs";

const MAX_TEXT = 1024 * 1024;
const MAX_HTML = 2 * 1024 * 1024;
const MAX_ATTACHMENTS = 100;

/** Directories this worker made or found, so a group's writes cost no mkdir. */
const knownDirs = new Set();

function syncPath(target) {
  const fd = openSync(target, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A directory made here survives a power loss once the parents of the ones mkdir created are synced. */
function ensureDir(dir) {
  if (knownDirs.has(dir)) return;
  const first = mkdirSync(dir, { recursive: true });
  if (first) {
    for (let d = dir; ; d = path.dirname(d)) {
      syncPath(path.dirname(d));
      if (d === first || d === path.dirname(d)) break;
    }
  }
  knownDirs.add(dir);
}

function writeAll(fd, buffer, position) {
  let done = 0;
  while (done < buffer.length) done += writeSync(fd, buffer, done, buffer.length - done, position + done);
}

/** Appends the contents to the file (this worker's own for the group); returns where each one starts. */
function appendContents(file, contents) {
  ensureDir(path.dirname(file));
  const fd = openSync(file, "a");
  try {
    let offset = fstatSync(fd).size;
    return contents.map((content) => {
      const start = offset;
      writeAll(fd, content, start);
      offset += content.length;
      return start;
    });
  } finally {
    closeSync(fd);
  }
}

async function parse(job) {
  const raw = Buffer.from(job.raw);
  const text = plainText(raw);
  if (text !== null) return { ok: true, text: text.slice(0, MAX_TEXT), html: null, attachments: [] };
  let parsed;
  try {
    // No text-to-HTML conversion and no links: the viewer shows the text itself.
    parsed = await simpleParser(raw, {
      skipImageLinks: true,
      skipTextLinks: true,
      skipTextToHtml: true,
      maxHtmlLengthToParse: MAX_HTML,
    });
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const attachments = parsed.attachments.slice(0, MAX_ATTACHMENTS);
  let offsets = [];
  if (attachments.length > 0) {
    offsets = appendContents(
      job.file,
      attachments.map((a) => a.content),
    );
  }
  return {
    ok: true,
    text: (parsed.text ?? "").slice(0, MAX_TEXT),
    html: typeof parsed.html === "string" ? parsed.html.slice(0, MAX_HTML) : null,
    attachments: attachments.map((a, i) => ({
      filename: a.filename ?? null,
      contentType: a.contentType || "application/octet-stream",
      size: a.size ?? a.content.length,
      offset: offsets[i],
      length: a.content.length,
    })),
  };
}

function sync(job) {
  for (const file of job.files) syncPath(file);
  for (const dir of new Set(job.files.map((file) => path.dirname(file)))) syncPath(dir);
  return { ok: true };
}

/** One job's answer. An I/O failure (a full disk, say) is the machine's, not the mail's: `io` says so. */
export async function handleJob(job) {
  try {
    return job.kind === "sync" ? sync(job) : await parse(job);
  } catch (error) {
    return { ok: false, io: true, error: error instanceof Error ? error.message : String(error) };
  }
}
