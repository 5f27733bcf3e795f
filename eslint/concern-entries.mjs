// A concern under lib/ is used through its entries, never past them:
//   index.ts   the server-side entry          `@/lib/oauth`, `@/lib/mail/incoming`
//   client.ts  the client-safe entry           `@/lib/oauth/client` (schemas and types for components)
//   edge.ts    the entry for the proxy/launcher `@/lib/auth/edge` (nothing that reaches the database)
// plus the few named entries below, each with its reason. Files inside a concern use relative paths.
const NESTED = new Set(["mail"]);
const ENTRIES = new Set(["client", "edge"]);
const NAMED_ENTRIES = {
  // migrations run from the CLIs and tests only, without loading the Prisma client
  db: new Set(["migrate"]),
  // the fetcher's per-mail decisions and stored files, without the pages' queries: a fetcher process stays small
  requests: new Set(["ingest"]),
  // a source opened from saved settings and what a fetch run uses of it, without the console's mailbox service
  "mail/incoming": new Set(["session"]),
};

/** "@/lib/mail/incoming/x" -> { concern: "mail/incoming", rest: "x" } */
function splitLibPath(spec) {
  const parts = spec.slice("@/lib/".length).split("/");
  const depth = NESTED.has(parts[0]) ? 2 : 1;
  return { concern: parts.slice(0, depth).join("/"), rest: parts.slice(depth).join("/") };
}

export const concernEntries = {
  meta: {
    type: "problem",
    docs: { description: "Import a lib/ concern only through its entries (index.ts, client.ts, edge.ts)" },
    schema: [],
    messages: {
      deep: "'{{spec}}' reaches past the concern's entries: import from '@/lib/{{concern}}' (server) or '@/lib/{{concern}}/client' (client-safe).",
    },
  },
  create(context) {
    function check(node) {
      const spec = node.source && node.source.value;
      if (typeof spec !== "string" || !spec.startsWith("@/lib/")) return;
      const { concern, rest } = splitLibPath(spec);
      if (rest === "" || ENTRIES.has(rest) || NAMED_ENTRIES[concern]?.has(rest)) return;
      context.report({ node: node.source, messageId: "deep", data: { spec, concern } });
    }
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: (node) => check({ source: node.source }),
    };
  },
};
