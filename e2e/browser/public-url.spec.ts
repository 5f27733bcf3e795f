// Redirects name the console's public address, not the one Next listens on: here the public URL is a name
// that is never connected to (the console listens on 127.0.0.1; only the Location headers are read).
import path from "node:path";
import { request } from "undici";
import { consolePort, startConsole } from "./console-server";
import { expect, test } from "./fixtures";

test("Auth.js and the sign-in redirect use MAILBRIDGE_PUBLIC_URL", async () => {
  const port = consolePort() + 4;
  const publicUrl = `http://console.mailbridge.test:${port}`;
  const server = await startConsole({
    port,
    dataDir: path.resolve("test-results/console-public-url"),
    env: { MAILBRIDGE_PUBLIC_URL: publicUrl },
  });
  try {
    const signin = await request(`${server.url}/api/auth/signin`);
    await signin.body.dump();
    const callbackUrl = new URL(String(signin.headers.location), publicUrl).searchParams.get("callbackUrl");
    expect(callbackUrl).toBe(publicUrl);

    const signout = await request(`${server.url}/api/auth/signout`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    await signout.body.dump();
    expect(String(signout.headers.location)).toMatch(new RegExp(`^${publicUrl}/`));

    const page = await request(`${server.url}/users`);
    await page.body.dump();
    expect(page.headers.location).toBe(`${publicUrl}/signin`);
  } finally {
    await server.stop();
  }
});
