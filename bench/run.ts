// `npm run bench -- <name> [options]`: load tests run by hand, never by `npm test`.
import { benchConsole } from "./console";

const BENCHES: Record<string, (argv: string[]) => Promise<void>> = { console: benchConsole };

const [name, ...rest] = process.argv.slice(2);
const bench = BENCHES[name ?? ""];
if (!bench) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join("|")}> [options]`);
  process.exit(2);
}
bench(rest).catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
