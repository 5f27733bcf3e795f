// A deadline for a whole operation (a sample fetch, a discovery): the work is told to stop and the caller
// gets an ETIMEDOUT error naming the operation.
export async function withDeadline<T>(ms: number, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = Object.assign(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`), {
        code: "ETIMEDOUT",
      });
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
