// The house rules as lint rules; `npm test` runs `eslint .` (an error fails the run, warnings are shown).
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";
import { concernEntries } from "./eslint/concern-entries.mjs";

const TESTS = ["**/*.test.ts", "e2e/**"];

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      ".next/**",
      "lib/db/generated/**",
      "prisma/generated/**",
      "test-results/**",
      "data/**",
      "bench/results/**",
      "next-env.d.ts",
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ["app/**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: { "react-hooks/rules-of-hooks": "error", "react-hooks/exhaustive-deps": "warn" },
  },
  {
    files: ["**/*.{ts,tsx,mts,mjs}"],
    plugins: { house: { rules: { "concern-entries": concernEntries } } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "house/concern-entries": "error",
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: "Read settings through lib/config, not process.env.",
        },
      ],
      "max-lines": ["warn", { max: 400, skipBlankLines: true, skipComments: true }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
    },
  },
  {
    // The product's code never depends on the test rig.
    files: ["lib/**", "app/**", "proxy.ts", "instrumentation.ts"],
    ignores: TESTS,
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@/e2e/*", "**/e2e/*"], message: "lib/ and app/ must not import the test rig." }] },
      ],
    },
  },
  {
    // Tests and benchmarks may reach into the concern they measure and its neighbours' internals.
    files: [...TESTS, "bench/**"],
    rules: { "house/concern-entries": "off", "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Configuration owns the environment; the CLIs hand it to child processes; tests and benchmarks set it up.
    // instrumentation.ts reads NEXT_RUNTIME, Next's build-time constant that keeps Node-only code out of the
    // edge bundle: it must be read literally, not through lib/config.
    files: ["lib/config/**", "lib/cli/**", "bench/**", "*.config.*", "prisma/**", "instrumentation.ts", ...TESTS],
    rules: { "no-restricted-syntax": "off" },
  },
);
