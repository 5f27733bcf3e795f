import { createServer, type Server } from "node:http";
import type { Config } from "@/lib/config";
import type { Shutdown } from "./shutdown";

/** Refused start (the port is taken): the message is for the administrator. */
export class StartError extends Error {
  override name = "StartError";
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive connections would hold close() open until they time out; in-flight requests still finish.
    server.closeIdleConnections();
  });
}

/** Next and the ORM client take seconds to load: started early, the loading overlaps a first build. */
export function startLoading() {
  const loading = Promise.all([import("next"), import("@/lib/auth/edge")]);
  loading.catch(() => undefined); // reported by serveConsole
  return loading;
}

/**
 * Serves the built console in this process until the shutdown stops it; resolves once it listens. The
 * background jobs start from instrumentation.ts (lib/cli/background-jobs.ts), in one process only.
 */
export async function serveConsole(options: {
  root: string;
  config: Config;
  shutdown: Shutdown;
  loading: ReturnType<typeof startLoading>;
}): Promise<void> {
  const { config: c, shutdown } = options;
  const [{ default: next }, { stampPeerAddress }] = await options.loading;
  const app = next({ dev: false, dir: options.root, hostname: c.hostname, port: c.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((req, res) => {
    stampPeerAddress(req);
    void handle(req, res);
  });
  shutdown.onStop(() => closeServer(server));
  shutdown.onStop(() => app.close());
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new StartError(
          error.code === "EADDRINUSE" ? `port ${c.port} on ${c.hostname} is already in use` : error.message,
        ),
      ),
    );
    server.listen(c.port, c.hostname, () => resolve());
  });
}
