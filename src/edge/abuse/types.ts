/**
 * What the edge's abuse form needs from the control plane: `AbuseSink`. The control plane's AbuseService has this
 * shape (src/control/services/abuse.ts; the edge never imports it); over the worker IPC it is `AbuseIpcClient`.
 * Everything crossing it is plain data (structured-clone safe).
 */

/** The form's fields as submitted (strings; `share_contact` may be a boolean in JSON). Unknown fields are dropped. */
export type AbuseSubmission = Readonly<Record<string, string | boolean>>;

export type { AbuseFieldError, AbuseSubmitResult, AbuseTicketView } from '../../state/ports.ts';
import type { AbuseSubmitResult, AbuseTicketView } from '../../state/ports.ts';

export interface AbuseSink {
  submit(fields: AbuseSubmission): Promise<AbuseSubmitResult>;
  /** Undefined when the ticket is unknown (or malformed). */
  status(ticket: string): Promise<AbuseTicketView | undefined>;
}

/** The fields the edge passes on. */
export const SUBMISSION_FIELDS = ['host', 'url', 'category', 'description', 'reporter_name', 'reporter_email', 'share_contact'] as const;
