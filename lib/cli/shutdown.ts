import type { ChildProcess } from "node:child_process";

/** How long a stop may take: in-flight requests finish, then open connections are cut and the process exits. */
export const SHUTDOWN_GRACE_MS = 10_000;

type Task = () => Promise<void> | void;

export type Shutdown = {
  /** Children get the same signal as this process and are killed if they outlive the grace time. */
  track(child: ChildProcess): void;
  /** Run on stop, in order of registration; all of them share the grace time. */
  onStop(task: Task): void;
  /** true once a signal has started the stop */
  readonly stopping: boolean;
};

/**
 * SIGTERM and SIGINT stop the process cleanly: they are forwarded to children, the stop tasks run, and
 * whatever is still running after the grace time is killed. A second signal forces the exit at once.
 */
export function installShutdown(
  options: {
    graceMs?: number;
    log?: (line: string) => void;
    /**
     * false: a further signal is ignored. For the web processes of lib/cli/web-processes.ts, which may get
     * the same stop twice (Ctrl-C reaches the whole process group, and the primary passes signals on); the
     * primary enforces the grace time and a second signal there.
     */
    repeatForces?: boolean;
  } = {},
): Shutdown {
  const graceMs = options.graceMs ?? SHUTDOWN_GRACE_MS;
  const repeatForces = options.repeatForces ?? true;
  const log = options.log ?? ((line) => console.log(line));
  const children = new Set<ChildProcess>();
  const tasks: Task[] = [];
  let stopping = false;

  const alive = () => [...children].filter((c) => c.exitCode === null && c.signalCode === null);
  const killAll = () => alive().forEach((c) => c.kill("SIGKILL"));
  const childrenGone = () =>
    Promise.all(alive().map((c) => new Promise<void>((resolve) => c.once("exit", () => resolve()))));

  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      if (!repeatForces) return;
      log(`${signal} again: stopping now`);
      killAll();
      process.exit(1);
    }
    stopping = true;
    log(`${signal} received: stopping (at most ${Math.round(graceMs / 1000)} s)`);
    for (const child of alive()) child.kill(signal);
    const force = setTimeout(() => {
      log("still busy after the grace time: stopping now");
      killAll();
      process.exit(1);
    }, graceMs);
    force.unref();
    let code = 0;
    for (const task of tasks) {
      try {
        await task();
      } catch (error) {
        code = 1;
        log(`while stopping: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    await childrenGone();
    clearTimeout(force);
    log("stopped");
    process.exit(code);
  };

  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  return {
    track(child) {
      children.add(child);
      child.once("exit", () => children.delete(child));
      if (stopping) child.kill("SIGTERM");
    },
    onStop(task) {
      tasks.push(task);
    },
    get stopping() {
      return stopping;
    },
  };
}
