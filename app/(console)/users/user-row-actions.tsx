"use client";
import { useBusy } from "@/app/_components/use-hydrated";
import { useState } from "react";
import { changeRoleAction, resetPasswordAction, setDisabledAction } from "./actions";

type Props = { userId: string; email: string; role: string; disabled: boolean };

export function UserRowActions({ userId, email, role, disabled }: Props) {
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [password, setPassword] = useState("");
  const busy = useBusy(false);

  async function run(
    what: string,
    call: () => Promise<{ ok: boolean; error?: string; fieldErrors?: Record<string, string> }>,
  ) {
    const result = await call();
    setMessage(
      result.ok
        ? { ok: true, text: what }
        : { ok: false, text: result.fieldErrors?.password ?? result.error ?? "Failed" },
    );
  }

  return (
    <div className="stack">
      <div className="actions">
        <label className="muted" htmlFor={`role-${userId}`}>
          Role
        </label>
        <select
          id={`role-${userId}`}
          aria-label={`Role of ${email}`}
          defaultValue={role}
          disabled={busy}
          onChange={(e) =>
            run("Role changed.", () => changeRoleAction({ userId, role: e.target.value as "admin" | "viewer" }))
          }
        >
          <option value="viewer">Viewer</option>
          <option value="admin">Admin</option>
        </select>
        <button
          className="btn"
          type="button"
          disabled={busy}
          onClick={() =>
            run(disabled ? "Enabled." : "Disabled.", () => setDisabledAction({ userId, disabled: !disabled }))
          }
        >
          {disabled ? "Enable" : "Disable"}
        </button>
      </div>
      <div className="actions">
        <input
          aria-label={`New password for ${email}`}
          type="password"
          placeholder="New password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
        />
        <button
          className="btn"
          type="button"
          disabled={busy}
          onClick={() => run("Password reset.", () => resetPasswordAction({ userId, password }))}
        >
          Reset password
        </button>
      </div>
      {message && (
        <span className={message.ok ? "badge badge-ok" : "field-error"} role="status">
          {message.text}
        </span>
      )}
    </div>
  );
}
