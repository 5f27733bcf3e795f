// A small closed-loop load generator: `connections` clients, each sending the next request as soon as
// the previous answer is complete, for a bounded time, on one loopback origin.
import { Pool } from "undici";

export type LoadResult = {
  path: string;
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
};

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : NaN;

export async function load(options: {
  origin: string;
  path: string;
  cookie?: string;
  connections: number;
  seconds: number;
  expectStatus: number;
}): Promise<LoadResult> {
  const origin = new URL(options.origin);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(origin.hostname))
    throw new Error("the bench only loads a console on loopback");
  const pool = new Pool(options.origin, {
    connections: options.connections,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const latencies: number[] = [];
  let errors = 0;
  const headers: Record<string, string> = options.cookie ? { cookie: options.cookie } : {};
  const started = performance.now();
  const until = started + options.seconds * 1000;
  const client = async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      try {
        const res = await pool.request({ method: "GET", path: options.path, headers });
        await res.body.dump({ limit: Infinity });
        if (res.statusCode !== options.expectStatus) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, client));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return {
    path: options.path,
    requests: latencies.length,
    errors,
    perSecond: Math.round(latencies.length / elapsed),
    p50: Math.round(percentile(latencies, 50)),
    p99: Math.round(percentile(latencies, 99)),
    max: Math.round(latencies[latencies.length - 1] ?? NaN),
  };
}
