const STATUS: Record<string, { label: string; badge: string }> = {
  connected: { label: "Connected", badge: "badge-ok" },
  pending: { label: "Waiting for sign-in", badge: "badge-warn" },
  refresh_failing: { label: "Token refresh failing", badge: "badge-error" },
  reconnect_needed: { label: "Reconnect needed", badge: "badge-error" },
};

export function StatusBadge({ status }: { status: string }) {
  const s = STATUS[status] ?? { label: status, badge: "badge-warn" };
  return <span className={`badge ${s.badge}`}>{s.label}</span>;
}
