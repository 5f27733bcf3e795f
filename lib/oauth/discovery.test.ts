import { beforeAll, describe, expect, it } from "vitest";
import { rigInfo, type RigInfo } from "@/e2e/rig/info";
import { useTestDatabase } from "@/e2e/support/test-db";
import { discoverEndpoints } from "./discovery";

let rig: RigInfo;
beforeAll(async () => {
  rig = rigInfo();
  await useTestDatabase();
});

describe("endpoint discovery from an issuer URL", () => {
  it("fills the endpoints of the rig's authorization server from its metadata", async () => {
    expect(await discoverEndpoints(rig.auth.issuer)).toEqual({
      issuer: rig.auth.issuer,
      authorizeUrl: rig.auth.authorizeUrl,
      tokenUrl: rig.auth.tokenUrl,
      revocationUrl: rig.auth.revocationUrl,
    });
  });

  it("explains a URL without metadata, at the issuer field", async () => {
    await expect(discoverEndpoints(`${rig.auth.issuer}/no-such-issuer`)).rejects.toMatchObject({
      options: { field: "issuer" },
    });
    await expect(discoverEndpoints("http://login.example.com")).rejects.toThrow("https");
  });
});
