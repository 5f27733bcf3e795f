import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { extraCa } from "@/lib/mail/extra-ca";
import { trustedContext } from "./net-connect";
import { prepareMailTls } from "./tls-warmup";

// Any real CA certificate will do: one of the system roots.
const CA_PEM = tls.rootCertificates[0];

afterEach(() => {
  delete process.env.MAILBRIDGE_EXTRA_CA_FILE;
  resetConfigForTests();
  vi.restoreAllMocks();
});

describe("prepareMailTls", () => {
  it("builds the TLS context for the extra CA once, so a later connection finds it built", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "mb-tls-"));
    const file = path.join(dir, "ca.pem");
    writeFileSync(file, CA_PEM);
    process.env.MAILBRIDGE_EXTRA_CA_FILE = file;
    resetConfigForTests();
    const build = vi.spyOn(tls, "createSecureContext");
    prepareMailTls();
    expect(build).toHaveBeenCalledTimes(1);
    trustedContext(extraCa());
    expect(build).toHaveBeenCalledTimes(1);
  });

  it("throws when the extra CA file cannot be read, and does nothing without one", () => {
    process.env.MAILBRIDGE_EXTRA_CA_FILE = path.join(os.tmpdir(), "mb-no-such-dir", "ca.pem");
    resetConfigForTests();
    expect(() => prepareMailTls()).toThrow(/ENOENT/);
    delete process.env.MAILBRIDGE_EXTRA_CA_FILE;
    resetConfigForTests();
    const build = vi.spyOn(tls, "createSecureContext");
    prepareMailTls();
    expect(build).not.toHaveBeenCalled();
  });
});
