"use client";
import { useBusy } from "@/app/_components/use-hydrated";
import { useState, type FormEvent } from "react";
import { addUserSchema } from "@/lib/users/client";
import { fieldErrorsOf } from "@/lib/forms";
import { addUserAction } from "./actions";

export function AddUserForm() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const busy = useBusy(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formEl = event.currentTarget;
    const form = new FormData(formEl);
    const input = {
      name: String(form.get("name") ?? ""),
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      role: String(form.get("role") ?? "viewer"),
    };
    const parsed = addUserSchema.safeParse(input);
    if (!parsed.success) return setErrors(fieldErrorsOf(parsed.error));
    const result = await addUserAction(input as never);
    if (result.ok) {
      setErrors({});
      setMessage({ ok: true, text: `Added ${parsed.data.email}.` });
      formEl.reset();
    } else {
      setErrors(result.fieldErrors ?? {});
      setMessage({ ok: false, text: result.error });
    }
  }

  return (
    <form method="post" onSubmit={submit} className="form" noValidate aria-label="Add user">
      {message && (
        <p className={`alert ${message.ok ? "alert-success" : "alert-error"}`} role="status">
          {message.text}
        </p>
      )}
      <div className="grid-2">
        {(
          [
            ["name", "Name", "text"],
            ["email", "Email address", "email"],
            ["password", "Initial password", "password"],
          ] as const
        ).map(([n, l, t]) => (
          <div className="field" key={n}>
            <label htmlFor={`new-${n}`}>{l}</label>
            <input id={`new-${n}`} name={n} type={t} autoComplete="off" />
            {errors[n] && <span className="field-error">{errors[n]}</span>}
          </div>
        ))}
        <div className="field">
          <label htmlFor="new-role">Role</label>
          <select id="new-role" name="role" defaultValue="viewer">
            <option value="viewer">Viewer (reads everything, changes nothing)</option>
            <option value="admin">Admin (changes settings, manages users)</option>
          </select>
        </div>
      </div>
      <div className="actions">
        <button className="btn btn-primary" type="submit" disabled={busy}>
          Add user
        </button>
      </div>
    </form>
  );
}
