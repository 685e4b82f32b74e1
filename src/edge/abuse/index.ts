/**
 * The public abuse form on the edge (issue 9; docs/governance.md "Abuse reports"): the handler answered before the
 * zone pipeline, the AbuseSink it reports to, and the worker ↔ primary IPC for it.
 */
export { createAbuseHandler, clientKey, ABUSE_PATH, PUBLIC_ABUSE_PATH, MAX_ABUSE_BODY } from './handler.ts';
export type { AbuseHandler, AbuseHandlerOptions, AbuseRequestInfo } from './handler.ts';
export type { AbuseSink, AbuseSubmission, AbuseSubmitResult, AbuseTicketView, AbuseFieldError } from './types.ts';
export { SUBMISSION_FIELDS } from './types.ts';
export { AbuseIpcClient, answerAbuseIpc } from './ipc.ts';
export type { AbuseFromWorker, AbuseToWorker } from './ipc.ts';
export { CSP as ABUSE_CSP } from './page.ts';
