import { attachmentResponse, forViewer } from "@/lib/requests";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return forViewer(async () => attachmentResponse((await params).id));
}
