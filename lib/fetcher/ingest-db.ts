// The hot path's own connection: plain SQL through the driver (libsql prepared statements, or pg),
// one transaction per batch. The ORM serves everything else; both read the same tables Prisma created.
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import Database from "libsql";
import pg from "pg";
import { config, type DatabaseConfig } from "@/lib/config";
import { WAL_BACKSTOP_PAGES, WalCheckpointer } from "./wal-checkpointer";

/** A Buffer is bound as bytes: a BLOB on SQLite, a binary parameter on PostgreSQL. */
type Param = string | number | boolean | Date | Buffer | null;

/**
 * The statements of one transaction. SQL uses `?` placeholders and double-quoted Prisma names. Statements run in
 * the order they are called: on PostgreSQL they are pipelined, so statements issued before awaiting any of them
 * share one round trip (a batch is a few round trips, not one per statement). A transaction commits only once
 * every statement issued in it succeeded, so work may leave its last statements un-awaited: on PostgreSQL the
 * COMMIT then travels with them.
 */
export interface IngestSql {
  get<T>(sql: string, params?: Param[]): Promise<T | undefined>;
  all<T>(sql: string, params?: Param[]): Promise<T[]>;
  /** returns the number of changed rows */
  run(sql: string, params?: Param[]): Promise<number>;
}

export type TransactionOptions = {
  /**
   * false: the commit need not survive a power loss (it may roll back whole, never in part), so it does not
   * wait for a sync to disk. Only for work that is redone when lost, such as extraction. Otherwise the
   * transaction resolves once its commit is on disk.
   */
  durable?: boolean;
};

export interface IngestDb {
  readonly provider: "sqlite" | "postgresql";
  transaction<T>(work: (sql: IngestSql) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

/**
 * A batch's rows share one `now`: each distinct instant is formatted once, not once per column of every row (the
 * last one is kept, compared by value, so a Date changed since is formatted again).
 */
function dateFormatter(format: (date: Date) => string): (date: Date) => string {
  let lastMs = NaN;
  let lastText = "";
  return (date) => {
    const ms = date.getTime();
    if (ms !== lastMs) {
      lastText = format(date);
      lastMs = ms;
    }
    return lastText;
  };
}

/** Prisma's SQLite adapter stores DateTime as ISO text with "+00:00"; booleans are 0/1. */
const sqliteDate = dateFormatter((date) => date.toISOString().replace("Z", "+00:00"));

function sqliteParams(params: Param[]): (string | number | Buffer | null)[] {
  const out = new Array<string | number | Buffer | null>(params.length);
  for (let i = 0; i < params.length; i++) {
    const value = params[i];
    out[i] = typeof value === "boolean" ? (value ? 1 : 0) : value instanceof Date ? sqliteDate(value) : value;
  }
  return out;
}

type Row = Record<string, unknown> & { _metadata?: unknown };

/** libsql's `get` adds the statement's timing as `_metadata`; rows here hold columns only, as from pg. */
function plainRow(row: Row | undefined): Record<string, unknown> | undefined {
  if (!row) return row;
  const { _metadata, ...columns } = row;
  void _metadata;
  return columns;
}

/** The statements a transaction issued, so it commits only once all of them succeeded (awaited or not). */
class Statements {
  private readonly issued: Promise<unknown>[] = [];

  private track<R>(statement: Promise<R>): Promise<R> {
    // Handled here as well: an un-awaited statement's failure fails the transaction, not the process.
    statement.catch(() => undefined);
    this.issued.push(statement);
    return statement;
  }

  tracking(sql: IngestSql): IngestSql {
    return {
      get: (text, params) => this.track(sql.get(text, params)),
      all: (text, params) => this.track(sql.all(text, params)),
      run: (text, params) => this.track(sql.run(text, params)),
    };
  }

  /** rejects with the first failure */
  async settled(): Promise<void> {
    await Promise.all(this.issued);
  }
}

class SqliteIngestDb implements IngestDb {
  readonly provider = "sqlite" as const;
  private readonly conn: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly checkpointer: WalCheckpointer;

  constructor(private readonly file: string) {
    this.conn = new Database(file, { timeout: 10_000 });
    this.conn.pragma("journal_mode = WAL");
    this.conn.pragma("foreign_keys = ON");
    // COMMIT does not sync (it would block the event loop for the sync); a durable transaction syncs the
    // write-ahead log itself, on the thread pool, before it resolves. Checkpoints still sync as they run.
    this.conn.pragma("synchronous = NORMAL");
    // A checkpoint in a commit would run on the main thread (some 100 ms per 4 MB of log): a worker runs them.
    this.conn.pragma(`wal_autocheckpoint = ${WAL_BACKSTOP_PAGES}`);
    this.checkpointer = new WalCheckpointer(file);
  }

  /** Makes every transaction committed so far survive a power loss: its frames are in the WAL file. */
  private async syncWal(): Promise<void> {
    // Opened anew each time: the log file exists while this connection is open, and is never another file.
    const handle = await open(`${this.file}-wal`, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.conn.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  // Parameters go in as one array: libsql reads a lone non-array object (a single null too) as named parameters.
  private readonly direct: IngestSql = {
    get: async <T>(sql: string, params: Param[] = []) =>
      plainRow(this.statement(sql).get(sqliteParams(params)) as Row | undefined) as T | undefined,
    all: async <T>(sql: string, params: Param[] = []) => this.statement(sql).all(sqliteParams(params)) as T[],
    run: async (sql: string, params: Param[] = []) => this.statement(sql).run(sqliteParams(params)).changes,
  };

  transaction<T>(work: (sql: IngestSql) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    // One connection, so transactions of this process run one after the other (the sync after one does not
    // hold up the next).
    const next = this.queue.then(async () => {
      this.conn.exec("BEGIN IMMEDIATE");
      try {
        const statements = new Statements();
        const result = await work(statements.tracking(this.direct));
        await statements.settled();
        this.conn.exec("COMMIT");
        this.checkpointer.committed();
        return result;
      } catch (error) {
        if (this.conn.inTransaction) this.conn.exec("ROLLBACK");
        throw error;
      }
    });
    this.queue = next.catch(() => undefined);
    if (opts.durable === false) return next;
    return next.then(async (result) => {
      await this.syncWal();
      return result;
    });
  }

  async close(): Promise<void> {
    await this.checkpointer.close();
    this.conn.close();
  }
}

/** Prisma's PostgreSQL columns are TIMESTAMP(3) without a zone holding UTC. */
const pgDate = dateFormatter((date) => date.toISOString().replace("Z", ""));

function pgParams(params: Param[]): Param[] {
  const out = new Array<Param>(params.length);
  for (let i = 0; i < params.length; i++) {
    const value = params[i];
    out[i] = value instanceof Date ? pgDate(value) : value;
  }
  return out;
}

/** TIMESTAMP (without zone) read as the UTC it holds, not as local time as pg's default parser would. */
const TIMESTAMP_OID = 1114;
const pgTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMP_OID && format !== "binary"
      ? (value: string) => new Date(`${value.replace(" ", "T")}Z`)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** `?` placeholders as `$1`, `$2`…; a batch's statements repeat, so each text is rewritten once (a bounded set). */
const numberedTexts = new Map<string, string>();
const NUMBERED_TEXTS = 512;

function numbered(sql: string): string {
  let text = numberedTexts.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    if (numberedTexts.size >= NUMBERED_TEXTS) numberedTexts.clear();
    numberedTexts.set(sql, text);
  }
  return text;
}

/**
 * A batch's INSERTs as named (prepared) statements: the server parses and plans a 100-row INSERT of ~1,900
 * parameters once per connection instead of on every batch (the inserts alone ~10% faster here). Names are given
 * to the first NAMED_STATEMENTS texts only, so a connection holds a bounded set; the rest go unnamed. Only INSERTs:
 * a prepared `SELECT *` would fail ("cached plan must not change result type") after a migration added a column.
 */
const statementNames = new Map<string, string>();
const NAMED_STATEMENTS = 128;

function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < NAMED_STATEMENTS) {
    name = `mb_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

class PgIngestDb implements IngestDb {
  readonly provider = "postgresql" as const;
  private readonly pool: pg.Pool;

  constructor(url: string) {
    this.pool = new pg.Pool({
      connectionString: url,
      // Statements are written without waiting for the previous one's answer (each still with its own Sync, so
      // an error fails the transaction and the rest with it, never a statement of another transaction).
      pipeline: true,
      max: 4,
      connectionTimeoutMillis: 10_000,
      statement_timeout: 60_000,
      types: pgTypes,
    });
  }

  async transaction<T>(work: (sql: IngestSql) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    const client = await this.pool.connect();
    const query = async <R>(sql: string, params: Param[] = []) => {
      const text = numbered(sql);
      const values = pgParams(params);
      const name = values.length && text.startsWith("INSERT") ? statementName(text) : undefined;
      return name
        ? client.query<R & pg.QueryResultRow>({ name, text, values })
        : client.query<R & pg.QueryResultRow>(text, values);
    };
    const statements = new Statements();
    const sql = statements.tracking({
      get: async <R>(text: string, params?: Param[]) => (await query<R>(text, params)).rows[0] as R | undefined,
      all: async <R>(text: string, params?: Param[]) => (await query<R>(text, params)).rows as R[],
      run: async (text: string, params?: Param[]) => (await query(text, params)).rowCount ?? 0,
    });
    try {
      // Not awaited: the work's first statements travel with it (a failed BEGIN fails them too).
      const begin = client.query(opts.durable === false ? "BEGIN; SET LOCAL synchronous_commit = off" : "BEGIN");
      begin.catch(() => undefined);
      const result = await work(sql);
      // Sent behind the work's last statements without waiting for them; an earlier failure aborted the
      // transaction, so this COMMIT then rolls back, and the failure is thrown.
      const commit = client.query("COMMIT");
      commit.catch(() => undefined);
      await begin;
      await statements.settled();
      await commit;
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export function openIngestDb(database: DatabaseConfig): IngestDb {
  return database.provider === "sqlite" ? new SqliteIngestDb(database.file) : new PgIngestDb(database.url);
}

const globalForIngest = globalThis as unknown as { mailbridgeIngestDb?: IngestDb };

/** The process's hot-path connection (kept on globalThis like the ORM client). */
export function ingestDb(): IngestDb {
  globalForIngest.mailbridgeIngestDb ??= openIngestDb(config().database);
  return globalForIngest.mailbridgeIngestDb;
}

/**
 * Closes the hot-path connection (on shutdown, after the fetches ended), and with it the WAL checkpoint worker: a
 * process that exits while that thread is inside SQLite can die by a signal instead of its exit code.
 */
export async function closeIngestDb(): Promise<void> {
  const open = globalForIngest.mailbridgeIngestDb;
  globalForIngest.mailbridgeIngestDb = undefined;
  await open?.close();
}
