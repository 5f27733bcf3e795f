// What an extraction worker does with one job, in plain JavaScript so that it loads unbundled in every process
// (Next's server, tsx, vitest): parse a raw mail (text, capped HTML, attachments appended to the group's file,
// not yet synced), or sync a group's attachment files and their directories before the commit that names them.
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import path from "node:path";
import { plainText } from "./extract-plain.mjs";

/**
 * mailparser, loaded on the first mail the plain path cannot take: loading it takes a worker some 200 ms (before
 * it can answer anything) and ~28 MB, which a run of plain-text mail never needs. A failure to load it is the
 * machine's (an I/O answer), not the mail's.
 */
let fullParser = null;
function loadFullParser() {
  fullParser ??= import("mailparser").catch((error) => {
    fullParser = null;
    throw error;
  });
  return fullParser;
}

/** Whether this worker has loaded (or begun to load) mailparser. */
export function fullParserLoaded() {
  return fullParser !== null;
}

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

/** A stored mail's bytes: `length` at `offset` of `file` (a batch file), or the whole file (length null). */
function readStored({ file, offset, length }) {
  if (length === null) return readFileSync(file);
  const buffer = Buffer.allocUnsafe(length);
  const fd = openSync(file, "r");
  try {
    let done = 0;
    while (done < length) {
      const read = readSync(fd, buffer, done, length - done, offset + done);
      if (read === 0) throw new Error(`the stored file ends before byte ${offset + length}`);
      done += read;
    }
  } finally {
    closeSync(fd);
  }
  return buffer;
}

/**
 * The job's raw mail: moved here with the job, or read here from its stored range (so the main thread neither
 * reads nor hands over the bytes). A range that cannot be read is that mail's failure (`unreadable` says why),
 * not the machine's.
 */
export function jobRaw(job) {
  if (job.raw) return Buffer.from(job.raw);
  try {
    return readStored(job.stored);
  } catch (error) {
    return { unreadable: error instanceof Error ? error.message : String(error) };
  }
}

async function parse(job) {
  const raw = jobRaw(job);
  if (!Buffer.isBuffer(raw)) return { ok: false, error: `the raw message could not be read: ${raw.unreadable}` };
  const text = plainText(raw);
  if (text !== null) return { ok: true, text: text.slice(0, MAX_TEXT), html: null, attachments: [] };
  const { simpleParser } = await loadFullParser();
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

const utf8 = new TextEncoder();

/**
 * A parse's text and HTML as UTF-8 bytes. As strings they were copied onto the main thread's heap and stayed there
 * until a full collection (on PostgreSQL ~45 MB of the heap at the extraction's peak); as bytes the main thread
 * releases them once they are saved. They are copied with the answer, not moved: memory this thread allocated
 * and the main thread freed stayed with this thread's allocator (measured, ~20 MB more peak RSS on SQLite).
 */
function asBytes(reply) {
  if (!reply.ok || typeof reply.text !== "string") return reply;
  return { ...reply, text: utf8.encode(reply.text), html: reply.html === null ? null : utf8.encode(reply.html) };
}

/** One job's answer. An I/O failure (a full disk, say) is the machine's, not the mail's: `io` says so. */
export async function handleJob(job) {
  try {
    return job.kind === "sync" ? sync(job) : asBytes(await parse(job));
  } catch (error) {
    return { ok: false, io: true, error: error instanceof Error ? error.message : String(error) };
  }
}
