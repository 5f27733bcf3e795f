// Shown above settings a Viewer may read but not change; their inputs are disabled as well.
export function ReadOnlyNotice() {
  return (
    <div className="alert alert-info" role="note" aria-label="Read-only">
      <strong>Read-only.</strong> You are signed in as a Viewer: you can look at these settings, only an administrator
      can change them.
    </div>
  );
}
