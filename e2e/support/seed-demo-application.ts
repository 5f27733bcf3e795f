// Stores the demo rig's OAuth client as an application of the console (run as a child process with the
// console's environment, after the console has migrated its database), so a newcomer picks it from the list.
// The endpoints come from the rig's metadata, by the console's own discovery. Nothing happens when it is stored.
import { createApplication, discoverEndpoints, listApplicationChoices } from "@/lib/oauth";

async function main() {
  const [issuer, clientId, clientSecret, scope] = process.argv.slice(2);
  const stored = (await listApplicationChoices()).find((app) => app.fields.clientId === clientId);
  if (stored) return console.log(stored.label);
  const endpoints = await discoverEndpoints(issuer);
  await createApplication({
    preset: "generic",
    clientId,
    clientSecret,
    clientAuthMethod: "client_secret_post",
    ...endpoints,
    scope,
  });
  const created = (await listApplicationChoices()).find((app) => app.fields.clientId === clientId);
  console.log(created?.label ?? "");
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
