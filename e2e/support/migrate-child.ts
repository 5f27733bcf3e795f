// Runs one migration in its own process, for the concurrent-start test.
import { migrate } from "../../lib/db/migrate";

migrate(JSON.parse(process.argv[2])).then(
  (r) => {
    process.stdout.write(JSON.stringify(r) + "\n");
    process.exit(0);
  },
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
