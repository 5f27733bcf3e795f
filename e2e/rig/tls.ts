// The rig's own certificate authority and one server certificate for 127.0.0.1 / localhost, made with the
// openssl CLI. Generated once per rig folder and reused while the files are there and valid for another day.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export type RigTls = {
  caFile: string;
  certFile: string;
  keyFile: string;
  caPem: string;
  certPem: string;
  keyPem: string;
};

export async function ensureRigTls(dir: string): Promise<RigTls> {
  const tlsDir = path.join(dir, "tls");
  const caFile = path.join(tlsDir, "ca.crt");
  const caKey = path.join(tlsDir, "ca.key");
  const certFile = path.join(tlsDir, "server.crt");
  const keyFile = path.join(tlsDir, "server.key");

  if (!existsSync(caFile) || !existsSync(certFile) || !existsSync(keyFile) || (await expiresSoon(certFile))) {
    await mkdir(tlsDir, { recursive: true });
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    await run("openssl", [
      "req",
      "-x509",
      ...ec,
      "-keyout",
      caKey,
      "-out",
      caFile,
      "-days",
      "30",
      "-subj",
      "/O=Mailbridge test rig/CN=Mailbridge Rig CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    const csr = path.join(tlsDir, "server.csr");
    await run("openssl", [
      "req",
      ...ec,
      "-keyout",
      keyFile,
      "-out",
      csr,
      "-subj",
      "/O=Mailbridge test rig/CN=localhost",
    ]);
    const extFile = path.join(tlsDir, "server.ext");
    await writeFile(
      extFile,
      [
        "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost",
        "basicConstraints=CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth",
        "",
      ].join("\n"),
    );
    await run("openssl", [
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      caFile,
      "-CAkey",
      caKey,
      "-CAcreateserial",
      "-out",
      certFile,
      "-days",
      "30",
      "-extfile",
      extFile,
    ]);
  }

  const [caPem, certPem, keyPem] = await Promise.all([
    readFile(caFile, "utf8"),
    readFile(certFile, "utf8"),
    readFile(keyFile, "utf8"),
  ]);
  return { caFile, certFile, keyFile, caPem, certPem, keyPem };
}

/** Whether the certificate expires within a day (a persistent rig outlives its 30 days). */
async function expiresSoon(certFile: string): Promise<boolean> {
  try {
    await run("openssl", ["x509", "-checkend", "86400", "-noout", "-in", certFile]);
    return false;
  } catch {
    return true;
  }
}
