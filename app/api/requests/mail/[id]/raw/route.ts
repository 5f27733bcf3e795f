import { rawMailResponse, forViewer } from "@/lib/requests";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return forViewer(async () => rawMailResponse((await params).id));
}
