// Writes the provider-specific schemas from prisma/models.prisma and generates both clients.
// Prisma compiles the provider into the client, so SQLite and PostgreSQL each need their own.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const models = readFileSync(path.join(here, "models.prisma"), "utf8");
const providers = { sqlite: "sqlite", postgresql: "postgresql" };
const outDir = path.join(here, "generated");
mkdirSync(outDir, { recursive: true });

// `prisma generate` never runs the schema engine, but the CLI insists on finding its binary.
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}

for (const [name, provider] of Object.entries(providers)) {
  const schema = [
    `// Generated from prisma/models.prisma by prisma/generate.mjs: do not edit.`,
    `generator client {`,
    `  provider     = "prisma-client"`,
    `  output       = "../../lib/db/generated/${name}"`,
    `  moduleFormat = "cjs"`,
    `}`,
    ``,
    `datasource db {`,
    `  provider = "${provider}"`,
    `}`,
    ``,
    models,
  ].join("\n");
  const file = path.join(outDir, `${name}.prisma`);
  writeFileSync(file, schema);
  execFileSync(
    process.execPath,
    [path.join(here, "../node_modules/prisma/build/index.js"), "generate", "--schema", file],
    {
      stdio: ["ignore", "ignore", "inherit"],
      env,
    },
  );
}
console.log("prisma: generated the sqlite and postgresql clients");
