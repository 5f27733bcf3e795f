import { AccessDenied, requireUser } from "@/lib/auth";
import { getRunTranscript } from "@/lib/mail/incoming";

export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  try {
    await requireUser("viewer");
  } catch (error) {
    if (error instanceof AccessDenied) return new Response("Sign in to read debug logs.", { status: 401 });
    throw error;
  }
  const { runId } = await params;
  const run = await getRunTranscript(runId);
  if (!run?.transcript) return new Response("No transcript for this run.", { status: 404 });
  const stamp = run.startedAt.toISOString().replace(/[:.]/g, "-");
  return new Response(run.transcript, {
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "content-disposition": `attachment; filename="mailbridge-transcript-${stamp}.txt"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
