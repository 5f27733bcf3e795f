import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": import.meta.dirname,
      // Next's "server-only" marker throws outside a React server bundle; in tests it is just a marker.
      "server-only": path.join(import.meta.dirname, "e2e/support/empty-module.ts"),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "e2e/**/*.test.ts"],
    exclude: ["e2e/browser/**", "node_modules/**"],
    globalSetup: ["e2e/vitest-global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The rig's servers listen on 127.0.0.1; production refuses loopback targets by default.
    env: { MAILBRIDGE_OUTBOUND_NETWORKS: "loopback" },
  },
});
