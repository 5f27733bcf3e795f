#!/usr/bin/env bash
# Writes a new migration for both providers from the change to prisma/models.prisma since the last
# migration. The Prisma 7 schema engine cannot be downloaded on our machines, so the SQL is produced
# offline by Prisma 6.19.3's JS engine in a tool folder outside the repo.
# Usage: prisma/new-migration.sh <name>
set -euo pipefail
name=${1:?usage: prisma/new-migration.sh <name>}
root=$(cd "$(dirname "$0")/.." && pwd)
tool=${MAILBRIDGE_PRISMA6_DIR:-$HOME/.cache/mailbridge-prisma6}
if [ ! -x "$tool/node_modules/.bin/prisma" ]; then
  mkdir -p "$tool"
  echo '{"name":"mailbridge-prisma6-tool","private":true}' > "$tool/package.json"
  (cd "$tool" && npm install --no-save prisma@6.19.3 @prisma/adapter-better-sqlite3@6.19.3 better-sqlite3@12)
fi
cat > "$tool/prisma.config.ts" <<'TS'
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  adapter: async () => new PrismaBetterSQLite3({ url: ":memory:" }),
} as never);
TS
export PRISMA_QUERY_ENGINE_LIBRARY=${PRISMA_QUERY_ENGINE_LIBRARY:-$(command -v node)} PRISMA_SCHEMA_ENGINE_BINARY=${PRISMA_SCHEMA_ENGINE_BINARY:-$(command -v node)} CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
stamp=$(date -u +%Y%m%d%H%M%S)
for provider in sqlite postgresql; do
  dir="$root/prisma/migrations/$provider"
  mkdir -p "$dir"
  new="$tool/new-$provider.prisma"; old="$tool/old-$provider.prisma"
  printf 'datasource db {\n  provider = "%s"\n  url = "%s"\n}\n' "$provider" "$([ $provider = sqlite ] && echo file:x.db || echo postgresql://x/x)" > "$new"
  cp "$new" "$old"
  cat "$root/prisma/models.prisma" >> "$new"
  # the previous state is the models as of the last migration, kept beside it
  last=$(ls "$dir" 2>/dev/null | sort | tail -n 1 || true)
  if [ -n "$last" ] && [ -f "$dir/$last/models.prisma" ]; then cat "$dir/$last/models.prisma" >> "$old"; fi
  mkdir -p "$dir/${stamp}_$name"
  (cd "$tool" && ./node_modules/.bin/prisma migrate diff \
    $( [ -n "$last" ] && echo "--from-schema-datamodel $old" || echo "--from-empty" ) \
    --to-schema-datamodel "$new" --script) > "$dir/${stamp}_$name/migration.sql"
  cp "$root/prisma/models.prisma" "$dir/${stamp}_$name/models.prisma"
  echo "wrote prisma/migrations/$provider/${stamp}_$name/migration.sql"
done
