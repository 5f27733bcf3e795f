// `npm run bench -- <name> [options]`: runs one benchmark by name, by hand, never from `npm test`.
const BENCHES: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  console: async () => ({ run: (await import("./console")).benchConsole }),
  ingest: () => import("./ingest"),
};

async function main() {
  const [name, ...args] = process.argv.slice(2);
  const load = name ? BENCHES[name] : undefined;
  if (!load) {
    console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join("|")}> [options]`);
    process.exit(2);
  }
  await (await load()).run(args);
  process.exit(0);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
