/**
 * What the edge's abuse form needs from the control plane: `AbuseSink`. The control plane's AbuseService has this
 * shape (src/control/services/abuse.ts; the edge never imports it); over the worker IPC it is `AbuseIpcClient`.
 * Everything crossing it is plain data (structured-clone safe).
 */

/** The form's fields as submitted (strings; `share_contact` may be a boolean in JSON). Unknown fields are dropped. */
export type AbuseSubmission = Readonly<Record<string, string | boolean>>;

export interface AbuseFieldError { readonly field: string; readonly message: string }

export type AbuseSubmitResult =
  | { readonly ok: true; readonly ticket: string }
  | { readonly ok: false; readonly status: number; readonly errors: readonly AbuseFieldError[] };

/** The public status of a ticket: status and dates only. */
export interface AbuseTicketView {
  readonly ticket: string;
  readonly status: string;
  readonly received: string;
  readonly updated: string;
  readonly forwarded: string | null;
  readonly history: ReadonlyArray<{ readonly status: string; readonly time: string }>;
}

export interface AbuseSink {
  submit(fields: AbuseSubmission): Promise<AbuseSubmitResult>;
  /** Undefined when the ticket is unknown (or malformed). */
  status(ticket: string): Promise<AbuseTicketView | undefined>;
}

/** The fields the edge passes on. */
export const SUBMISSION_FIELDS = ['host', 'url', 'category', 'description', 'reporter_name', 'reporter_email', 'share_contact'] as const;
