import "server-only";
// MIME parsing off the main thread: a few worker threads fed from a bounded queue (jobs and raw bytes held). A
// worker answers its jobs one after another, in order. A mail that keeps its worker past the deadline, or kills it,
// is answered as failed and the worker replaced, so the mails behind it go on. Raw buffers are moved to the worker,
// not copied.
import { Worker } from "node:worker_threads";

export type PoolAttachment = {
  filename: string | null;
  contentType: string;
  size: number;
  /** the group's file this worker appended the content to (relative to the data directory, and absolute) */
  relativeFile: string;
  absoluteFile: string;
  offset: number;
  length: number;
};

export type ParseResult =
  /** text and HTML as UTF-8 bytes (never decoded on the main thread; see extract-parse.mjs) */
  | { ok: true; text: Buffer; html: Buffer | null; attachments: PoolAttachment[] }
  /** `why` is for the ledger, `reason` for the log */
  | { ok: false; reason: string; why: string };

/** A stored mail for the worker to read itself: `length` bytes at `offset` of `file` (null: the whole file). */
export type StoredRaw = { file: string; offset: number; length: number | null };

/** Where a group's attachments go: each worker appends to `<base>.<worker>.parts`. */
export type AttachmentTarget = { relativeBase: string; absoluteBase: string };

export type PoolOptions = {
  workerFile: string;
  size: number;
  deadlineMs: number;
  /** jobs accepted and not yet answered, and their raw bytes (a larger mail alone) */
  maxJobs?: number;
  maxBytes?: number;
  /**
   * Stored mails handed to one worker ahead of its answers (a larger mail alone), so that it goes on parsing while
   * the main thread is busy (a SQLite commit holds it for tens of milliseconds). A mail moved to the worker is
   * handed over alone: it cannot be handed over again if its worker stops.
   */
  aheadJobs?: number;
  aheadBytes?: number;
  /** an idle worker ends after this long */
  idleMs?: number;
  maxHeapMb?: number;
  /**
   * A worker's young generation. V8's default lets it grow to some 48 MB per worker although a parse's short-lived
   * garbage is small; a large mail's buffers and strings live in the old generation, which maxHeapMb bounds.
   */
  maxYoungMb?: number;
};

/** A body as the worker sent it (UTF-8 bytes, see extract-parse.mjs), as a Buffer over the same memory. */
function bytesOf(value: unknown): Buffer | null {
  if (!(value instanceof Uint8Array)) return null;
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

type Reply = { id: number; ok: boolean; io?: boolean; error?: string } & Record<string, unknown>;

type Job = {
  id: number;
  bytes: number;
  post(slot: Slot): void;
  answer(slot: Slot, reply: Reply): void;
  /** the worker did not answer: it stopped, or took too long */
  lost(why: "crashed" | "deadline"): void;
  fail(error: Error): void;
  deadlineMs: number;
  /** it can be posted again to another worker (nothing was moved with it) */
  repeatable: boolean;
  abandon?: () => void;
};

type Slot = {
  worker: Worker;
  seq: number;
  ready: boolean;
  /** posted and not answered, in the order the worker answers them: the first is the one it works on */
  jobs: Job[];
  bytes: number;
  /** the first job's deadline */
  timer?: NodeJS.Timeout;
  error?: Error;
  /** ended on purpose (idle, overdue, closing): its exit is no crash */
  retired?: boolean;
};

/** The raw mail as an ArrayBuffer the worker can take over (a slice of Node's shared pool is copied). */
function transferable(raw: Buffer): ArrayBuffer {
  if (raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength && raw.buffer instanceof ArrayBuffer)
    return raw.buffer;
  const copy = new ArrayBuffer(raw.length);
  new Uint8Array(copy).set(raw);
  return copy;
}

export class PoolClosedError extends Error {
  constructor() {
    super("the extraction workers are stopping");
    this.name = "PoolClosedError";
  }
}

export class ExtractPool {
  private readonly queue: Job[] = [];
  private readonly slots: Slot[] = [];
  private readonly waiting: (() => void)[] = [];
  private heldJobs = 0;
  private heldBytes = 0;
  private nextId = 0;
  private nextSeq = 0;
  private closed = false;
  private idleTimer?: NodeJS.Timeout;
  private readonly o: Required<PoolOptions>;

  constructor(options: PoolOptions) {
    this.o = {
      maxJobs: 64,
      maxBytes: 32 * 1024 * 1024,
      aheadJobs: 64,
      aheadBytes: 8 * 1024 * 1024,
      idleMs: 60_000,
      maxHeapMb: 384,
      maxYoungMb: 8,
      ...options,
    };
  }

  /**
   * Parses one raw mail (which is moved to the worker: `raw` is empty afterwards). Waits while the pool holds
   * its limit; a job still queued when `signal` aborts is dropped.
   */
  async parse(raw: Buffer, target: AttachmentTarget, signal?: AbortSignal): Promise<ParseResult> {
    const bytes = raw.length;
    await this.room(bytes, signal);
    let body: ArrayBuffer | null = transferable(raw);
    return this.parseJob(target, bytes, signal, false, (slot, id, file) => {
      slot.worker.postMessage({ id, kind: "parse", raw: body, file }, [body!]);
      body = null;
    });
  }

  /**
   * Parses a stored mail of `bytes` bytes, which the worker reads from its file itself: the main thread neither
   * reads the mail nor hands its bytes over. A range that cannot be read is answered as that mail's failure.
   */
  async parseStored(
    stored: StoredRaw,
    bytes: number,
    target: AttachmentTarget,
    signal?: AbortSignal,
  ): Promise<ParseResult> {
    await this.room(bytes, signal);
    return this.parseJob(target, bytes, signal, true, (slot, id, file) =>
      slot.worker.postMessage({ id, kind: "parse", stored, file }),
    );
  }

  private parseJob(
    target: AttachmentTarget,
    bytes: number,
    signal: AbortSignal | undefined,
    repeatable: boolean,
    send: (slot: Slot, id: number, file: string) => void,
  ): Promise<ParseResult> {
    const id = ++this.nextId;
    return new Promise<ParseResult>((resolve, reject) => {
      const job: Job = {
        id,
        bytes,
        deadlineMs: this.o.deadlineMs,
        repeatable,
        post: (slot) => send(slot, id, `${target.absoluteBase}.${slot.seq}.parts`),
        answer: (slot, reply) => {
          if (reply.ok) {
            const attachments = (reply.attachments as Omit<PoolAttachment, "relativeFile" | "absoluteFile">[]).map(
              (a) => ({
                ...a,
                relativeFile: `${target.relativeBase}.${slot.seq}.parts`,
                absoluteFile: `${target.absoluteBase}.${slot.seq}.parts`,
              }),
            );
            resolve({ ok: true, text: bytesOf(reply.text) ?? Buffer.alloc(0), html: bytesOf(reply.html), attachments });
          } else if (reply.io) reject(new Error(reply.error));
          else resolve({ ok: false, reason: reply.error ?? "unknown error", why: "the message could not be parsed" });
        },
        lost: (why) => {
          const text =
            why === "deadline"
              ? `parsing took longer than ${Math.round(this.o.deadlineMs / 1000)} s`
              : "the parser stopped on this message";
          resolve({ ok: false, reason: text, why: text });
        },
        fail: reject,
      };
      this.enqueue(job, signal);
    });
  }

  /** What the pool holds now: jobs accepted and not answered, their raw bytes, and how many of them its workers have. */
  held(): { jobs: number; bytes: number; posted: number } {
    return { jobs: this.heldJobs, bytes: this.heldBytes, posted: this.slots.reduce((n, s) => n + s.jobs.length, 0) };
  }

  /** Makes the files (and their directories) durable, on a worker; rejects if that cannot be done. */
  async sync(files: string[]): Promise<void> {
    if (files.length === 0) return;
    if (this.closed) throw new PoolClosedError();
    // Ahead of the parses queued meanwhile: the commit of the group waits for it.
    this.heldJobs++;
    const id = ++this.nextId;
    return new Promise<void>((resolve, reject) => {
      this.enqueue(
        {
          id,
          bytes: 0,
          // An fsync on a busy disk may take a while; it is no mail's fault.
          deadlineMs: Math.max(this.o.deadlineMs, 60_000),
          repeatable: true,
          post: (slot) => slot.worker.postMessage({ id, kind: "sync", files }),
          answer: (_slot, reply) => (reply.ok ? resolve() : reject(new Error(`syncing attachments: ${reply.error}`))),
          lost: (why) =>
            reject(new Error(`syncing attachments: the worker ${why === "deadline" ? "hung" : "stopped"}`)),
          fail: reject,
        },
        undefined,
        true,
      );
    });
  }

  /** Stops the workers; what is queued or running is rejected with PoolClosedError (its mails stay pending). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    for (const job of this.queue.splice(0)) this.release(job).fail(new PoolClosedError());
    for (const wake of this.waiting.splice(0)) wake();
    await Promise.all(this.slots.map((slot) => this.retire(slot)));
  }

  private async room(bytes: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (this.closed) throw new PoolClosedError();
      signal?.throwIfAborted();
      const fits = this.heldJobs === 0 || (this.heldJobs < this.o.maxJobs && this.heldBytes + bytes <= this.o.maxBytes);
      if (fits) break;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.heldJobs++;
    this.heldBytes += bytes;
  }

  /** A job leaves the pool's count (answered, dropped or failed); whoever waits for room looks again. */
  private release(job: Job): Job {
    job.abandon?.();
    this.heldJobs--;
    this.heldBytes -= job.bytes;
    for (const wake of this.waiting.splice(0)) wake();
    return job;
  }

  private enqueue(job: Job, signal?: AbortSignal, first = false): void {
    if (this.closed) {
      this.release(job).fail(new PoolClosedError());
      return;
    }
    if (signal?.aborted) {
      this.release(job).fail(signal.reason as Error);
      return;
    }
    if (signal) {
      const drop = () => {
        const at = this.queue.indexOf(job);
        if (at < 0) return;
        this.queue.splice(at, 1);
        this.release(job).fail(signal.reason as Error);
      };
      signal.addEventListener("abort", drop, { once: true });
      job.abandon = () => signal.removeEventListener("abort", drop);
    }
    if (first) this.queue.unshift(job);
    else this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    if (this.closed) return;
    clearTimeout(this.idleTimer);
    while (this.queue.length > 0) {
      const job = this.queue[0];
      let slot = this.slots.find((s) => s.ready && s.jobs.length === 0);
      if (!slot) {
        // Another worker before a longer line at a busy one.
        if (this.slots.length < this.o.size && !this.slots.some((s) => !s.ready)) this.spawn();
        slot = this.aheadSlot(job);
      }
      if (!slot) break;
      this.queue.shift();
      this.dispatch(slot, job);
    }
    if (this.queue.length === 0 && this.slots.every((s) => s.jobs.length === 0)) {
      for (const slot of this.slots) slot.worker.unref();
      if (this.slots.length > 0) {
        this.idleTimer = setTimeout(() => void Promise.all(this.slots.map((s) => this.retire(s))), this.o.idleMs);
        this.idleTimer.unref();
      }
    }
  }

  /** The busy worker with the shortest line that may take this job ahead of its answers, if any. */
  private aheadSlot(job: Job): Slot | undefined {
    if (!job.repeatable) return undefined;
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (!slot.ready || !slot.jobs.every((j) => j.repeatable)) continue;
      if (slot.jobs.length >= this.o.aheadJobs || slot.bytes + job.bytes > this.o.aheadBytes) continue;
      if (!best || slot.jobs.length < best.jobs.length) best = slot;
    }
    return best;
  }

  private dispatch(slot: Slot, job: Job): void {
    job.abandon?.();
    job.abandon = undefined;
    slot.jobs.push(job);
    slot.bytes += job.bytes;
    slot.worker.ref();
    if (slot.jobs.length === 1) this.startDeadline(slot);
    job.post(slot);
  }

  /** The deadline of the job the worker works on now (its first unanswered one), from when it began on it. */
  private startDeadline(slot: Slot): void {
    clearTimeout(slot.timer);
    const job = slot.jobs[0];
    if (job) slot.timer = setTimeout(() => this.overdue(slot), job.deadlineMs);
  }

  /** The slot's first job leaves it (answered, overdue or lost with its worker). */
  private takeFirst(slot: Slot): Job | undefined {
    const job = slot.jobs.shift();
    if (job) slot.bytes -= job.bytes;
    return job;
  }

  /** Jobs a stopped worker had not begun go back to the front of the line, in order, for another worker. */
  private requeue(slot: Slot): void {
    this.queue.unshift(...slot.jobs.splice(0));
    slot.bytes = 0;
  }

  private spawn(): void {
    const seq = ++this.nextSeq;
    const worker = new Worker(this.o.workerFile, {
      resourceLimits: { maxOldGenerationSizeMb: this.o.maxHeapMb, maxYoungGenerationSizeMb: this.o.maxYoungMb },
    });
    const slot: Slot = { worker, seq, ready: false, jobs: [], bytes: 0 };
    this.slots.push(slot);
    worker.on("message", (message: Reply & { ready?: boolean }) => {
      if (message.ready) {
        slot.ready = true;
        this.pump();
        return;
      }
      if (slot.jobs[0]?.id !== message.id) return;
      const job = this.takeFirst(slot)!;
      this.startDeadline(slot);
      this.release(job).answer(slot, message);
      this.pump();
    });
    worker.on("error", (error) => (slot.error = error));
    worker.on("exit", () => this.exited(slot));
  }

  private overdue(slot: Slot): void {
    const job = this.takeFirst(slot);
    if (!job) return;
    this.release(job).lost("deadline");
    this.requeue(slot);
    void this.retire(slot);
    this.pump();
  }

  private async retire(slot: Slot): Promise<void> {
    clearTimeout(slot.timer);
    for (const job of slot.jobs.splice(0)) this.release(job).fail(new PoolClosedError());
    slot.bytes = 0;
    // Marked first, so its exit counts as intended, not as a crash.
    slot.ready = false;
    slot.retired = true;
    await slot.worker.terminate();
  }

  private exited(slot: Slot): void {
    clearTimeout(slot.timer);
    this.slots.splice(this.slots.indexOf(slot), 1);
    // Its answers sent before it stopped have been delivered by now: the first job left is the one it stopped on.
    const job = this.takeFirst(slot);
    if (job) {
      this.release(job).lost("crashed");
      this.requeue(slot);
    } else if (!slot.retired && !slot.ready && !this.closed) {
      // It died while loading: no mail is to blame, and another attempt now would fail the same way.
      const error = new Error(`the extraction worker could not start: ${slot.error?.message ?? "it exited"}`);
      for (const queued of this.queue.splice(0)) this.release(queued).fail(error);
    }
    this.pump();
  }
}
