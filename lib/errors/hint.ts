/** What an administrator is told about a known failure: a short title and what to do next. */
export type Hint = {
  /** stable code of the catalogue entry, e.g. "AADSTS65001" or "imap.not_connected" */
  code: string;
  title: string;
  /** what it means and what the admin does next; plain text */
  action: string;
  /** anchor id of the provider setup guide's step that fixes it (the settings pages link to it) */
  guideStep?: string;
};
