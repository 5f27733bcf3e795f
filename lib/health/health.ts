import "server-only";
import packageJson from "@/package.json";
import { db } from "@/lib/db";

export type Health = { status: "ok" | "degraded"; version: string; database: "reachable" | "unreachable" };

export async function checkHealth(): Promise<Health> {
  let database: Health["database"] = "reachable";
  try {
    await db().$queryRawUnsafe("SELECT 1");
  } catch {
    database = "unreachable";
  }
  return { status: database === "reachable" ? "ok" : "degraded", version: packageJson.version, database };
}
