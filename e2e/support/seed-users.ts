// Creates the browser tests' admin and viewer in the console's database (run as a child process with
// the console's environment, after the console has migrated it).
import { addUser, createFirstAdmin } from "@/lib/users";

async function main() {
  const [adminEmail, adminPassword, viewerEmail, viewerPassword] = process.argv.slice(2);
  await createFirstAdmin({ name: "Test Admin", email: adminEmail, password: adminPassword });
  await addUser({ name: "Test Viewer", email: viewerEmail, password: viewerPassword, role: "viewer" });
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
