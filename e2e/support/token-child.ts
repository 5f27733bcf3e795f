// Asks for a connection's access token in a process of its own, for the refresh test across processes.
// It says "ready" once loaded and starts on the parent's "go", so that the children's requests overlap.
// Database and key come from the environment (DATABASE_URL, MAILBRIDGE_SECRET_KEY, MAILBRIDGE_DATA_DIR).
import { getAccessToken } from "../../lib/oauth/token-service";

process.once("message", async () => {
  let answer: Record<string, unknown>;
  try {
    const token = await getAccessToken(process.argv[2]);
    answer = { ok: true, accessToken: token.accessToken };
  } catch (error) {
    answer = { ok: false, error: (error as Error).message };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`, () => process.exit(0));
});
process.send?.("ready");
