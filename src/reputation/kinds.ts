/** What an IP did wrong, and how many points each kind of event adds to its reputation by default. */

export const REPUTATION_EVENT_KINDS = [
  'waf_block',
  'ratelimit',
  'challenge_failed',
  'h2_abuse',
  'firewall_block',
  'protocol_error',
  'conn_flood',
] as const;

export type ReputationEventKind = (typeof REPUTATION_EVENT_KINDS)[number];

/**
 * Default points per event (before decay). The score is the decayed sum, clamped to 0..100, so e.g. ten WAF blocks
 * in a short burst reach 100, and one rate-limit hit alone is a mild 2.
 */
export const DEFAULT_REPUTATION_WEIGHTS: Readonly<Record<ReputationEventKind, number>> = Object.freeze({
  waf_block: 10,
  ratelimit: 2,
  challenge_failed: 15,
  h2_abuse: 25,
  firewall_block: 5,
  protocol_error: 5,
  conn_flood: 20,
});

export function isReputationEventKind(kind: string): kind is ReputationEventKind {
  return (REPUTATION_EVENT_KINDS as readonly string[]).includes(kind);
}
