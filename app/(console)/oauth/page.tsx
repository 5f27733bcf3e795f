import { requirePageUser } from "@/lib/auth";

export default async function OAuthPage() {
  await requirePageUser();
  return (
    <>
      <div className="page-header"><h1>OAuth applications</h1></div>
      <div className="card stack">
        <p>
          OAuth applications (one Azure app or Google client for all mailboxes of a company), their connections, the consent
          popup and token status are being built and will appear here.
        </p>
      </div>
    </>
  );
}
