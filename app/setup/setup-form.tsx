"use client";
import { useBusy } from "@/app/_components/use-hydrated";
import { useState, type FormEvent } from "react";
import { firstAdminSchema } from "@/lib/users/client";
import { fieldErrorsOf } from "@/lib/forms";
import { createFirstAdminAction } from "./actions";

export function SetupForm() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);
  const busy = useBusy(pending);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = Object.fromEntries(
      ["name", "email", "password", "confirm"].map((k) => [k, String(form.get(k) ?? "")]),
    );
    const parsed = firstAdminSchema.safeParse(input);
    if (!parsed.success) {
      setErrors(fieldErrorsOf(parsed.error));
      return;
    }
    setPending(true);
    const result = await createFirstAdminAction(input as never);
    setPending(false);
    setError(result?.error);
    setErrors(result?.fieldErrors ?? {});
  }

  const field = (name: string, label: string, type = "text", autoComplete?: string) => (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <input id={name} name={name} type={type} autoComplete={autoComplete} aria-invalid={!!errors[name]} />
      {errors[name] && <span className="field-error">{errors[name]}</span>}
    </div>
  );

  return (
    <form method="post" onSubmit={submit} className="form card" noValidate>
      <h1>Create the first administrator</h1>
      <p className="muted">
        Mailbridge has no users yet. The account you create here administers the console; this form disappears once it
        exists.
      </p>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      {field("name", "Name", "text", "name")}
      {field("email", "Email address", "email", "username")}
      {field("password", "Password", "password", "new-password")}
      {field("confirm", "Confirm password", "password", "new-password")}
      <div className="actions">
        <button className="btn btn-primary" type="submit" disabled={busy}>
          Create administrator
        </button>
      </div>
    </form>
  );
}
