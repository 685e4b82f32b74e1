/**
 * State ports: the narrow async interfaces through which every kind of shared state is reached.
 *
 * One node runs on the in-memory and SQLite adapters; a fleet swaps in Redis and Postgres adapters that pass the
 * same contract suites (src/state/contract/). Nothing outside src/state/ may know which adapter is behind a port.
 * All methods are async even where an adapter could answer synchronously, so that networked adapters drop in.
 * Keys are opaque strings chosen by the caller (prefix them by feature: `rl:`, `chal:`, ...).
 */

/** Sliding-window counters (rate limiting, flood detection). */
export interface CounterStore {
  /**
   * Add `cost` (default 1) to `key` and return the count over the last `windowMs` milliseconds, including this hit.
   * The window slides: adapters may approximate it with two fixed buckets weighted by overlap (as Cloudflare and
   * nginx-style limiters do), but must never under-count by more than the previous bucket's share.
   */
  hit(key: string, windowMs: number, cost?: number): Promise<number>;
  /** The count over the last `windowMs` without adding to it. */
  peek(key: string, windowMs: number): Promise<number>;
  /** Forget `key`. */
  reset(key: string): Promise<void>;
}

/** Key-value with optional time-to-live (bans, clearance replay protection, small shared flags). */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  /** Store `value`; with `ttlMs` the key disappears after that many milliseconds. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Store only when absent (atomic); true when this call stored it. */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
  /** Atomically add `by` (default 1) to an integer value (absent counts as 0) and return the new value. */
  incr(key: string, by?: number, ttlMs?: number): Promise<number>;
  delete(key: string): Promise<boolean>;
  /** Milliseconds left to live, undefined when the key is absent, Infinity when it has no TTL. */
  ttl(key: string): Promise<number | undefined>;
}

export type Unsubscribe = () => Promise<void>;

/** Publish/subscribe between the nodes and workers (config published, purge, switches). At-most-once delivery. */
export interface EventBus {
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, handler: (message: string) => void): Promise<Unsubscribe>;
}

/** Something that holds resources (connections, timers) and must be closed at shutdown. */
export interface Closeable {
  close(): Promise<void>;
}

/** One stored configuration object: a zone, or something that belongs to one (rule, record, order...). */
export interface ConfigDoc {
  readonly kind: string;
  readonly id: string;
  /** The zone this object belongs to (null for a zone itself and for global objects). */
  readonly zoneId: string | null;
  /** A unique name within its kind (a zone's hostname), or null. */
  readonly name: string | null;
  readonly data: unknown;
  readonly modifiedOn: string;
}

export type ConfigOp =
  | { readonly op: 'put'; readonly doc: Omit<ConfigDoc, 'modifiedOn'> }
  /** Insert only when (kind, id) is absent; otherwise the op is skipped and the transaction still commits. */
  | { readonly op: 'insert'; readonly doc: Omit<ConfigDoc, 'modifiedOn'> }
  | { readonly op: 'delete'; readonly kind: string; readonly id: string }
  /** Delete every object belonging to a zone (not the zone itself). */
  | { readonly op: 'deleteOwned'; readonly zoneId: string };

export class ConfigConflictError extends Error {
  readonly code = 'config.conflict';
  constructor(message: string) { super(message); this.name = 'ConfigConflictError'; }
}

/**
 * The configuration store: the source of truth the control plane writes and every edge node reads.
 * Every successful `apply` is atomic (all ops or none) and advances `version` by exactly one.
 */
export interface ConfigStore extends Closeable {
  version(): Promise<number>;
  get(kind: string, id: string): Promise<ConfigDoc | undefined>;
  getByName(kind: string, name: string): Promise<ConfigDoc | undefined>;
  list(kind?: string, zoneId?: string): Promise<ConfigDoc[]>;
  /** Apply the ops in one transaction; returns the new version. Throws ConfigConflictError on a unique-name clash. */
  apply(ops: readonly ConfigOp[]): Promise<number>;
  /** Everything, with the version it was read at (one consistent read). */
  snapshot(): Promise<{ version: number; docs: ConfigDoc[] }>;
}

/** One security event: a request that a security phase blocked, challenged or logged. */
export interface SecurityEvent {
  readonly ray: string;
  readonly zoneId: string;
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly clientIp: string;
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly query: string;
  readonly userAgent: string;
  /** What was done: block, challenge, log, allow, pass (a challenge solved). */
  readonly action: string;
  /** Which feature decided: waf, firewall, ratelimit, access, challenge, reputation. */
  readonly source: string;
  readonly ruleId: string | null;
  readonly reason: string;
  readonly status: number;
  /** Feature-specific details (for the WAF: every matched rule with message, variable, data, severity). */
  readonly details: unknown;
}

export interface SecurityEventQuery {
  readonly zoneId: string;
  readonly ray?: string;
  readonly source?: string;
  readonly clientIp?: string;
  readonly since?: number;
  readonly until?: number;
  readonly limit?: number;
}

/** Security events written by the edge and read by the control plane (API, dashboard, analytics). */
export interface SecurityEventStore extends Closeable {
  append(events: readonly SecurityEvent[]): Promise<void>;
  /** Newest first. */
  query(q: SecurityEventQuery): Promise<SecurityEvent[]>;
  /** Delete events older than `before` (retention). Returns how many went. */
  prune(before: number): Promise<number>;
}

/** One entry of the tamper-evident audit log (a hash chain: `prev` is the previous entry's `hash`). */
export interface AuditEntry {
  /** 1, 2, 3, ... without gaps. */
  readonly seq: number;
  /** ISO 8601 time of the action. */
  readonly time: string;
  /** Who: the token's subject (or account). */
  readonly actor: string;
  /** What: the HTTP method and path of the administrative call. */
  readonly method: string;
  readonly path: string;
  /** Which zone (name or id) the action concerned, or null. */
  readonly zone: string | null;
  /** The HTTP status of the answer. */
  readonly status: number;
  /** A summary of the request (secrets removed) and of the result. */
  readonly detail: unknown;
  /** SHA-256 (hex) of the previous entry's canonical JSON (64 zeros for the first). */
  readonly prev: string;
  /** SHA-256 (hex) of this entry's canonical JSON without `hash`. */
  readonly hash: string;
}

/** The append-only audit log. `append` computes seq, prev and hash atomically (a crash leaves a valid chain). */
export interface AuditLog extends Closeable {
  append(e: Omit<AuditEntry, 'seq' | 'prev' | 'hash'>): Promise<AuditEntry>;
  /** Entries in order, from `afterSeq` (exclusive), at most `limit`. */
  list(afterSeq?: number, limit?: number): Promise<AuditEntry[]>;
  count(): Promise<number>;
}

/** Analytics bucket sizes: minute rows (kept 24 h), hourly rows (kept 90 days). */
export type AnalyticsResolution = 'minute' | 'hour';

/** Requests by status class. */
export interface AnalyticsStatusCounts {
  readonly '1xx': number;
  readonly '2xx': number;
  readonly '3xx': number;
  readonly '4xx': number;
  readonly '5xx': number;
}

/**
 * A mergeable top-K sketch (space-saving). `items` are `[key, count, error]`: `count` is an upper bound of the
 * key's true count and `count - error` a lower bound. `floor` bounds the count of any key not listed (0 while no
 * key was ever evicted: the list is then exact).
 */
export interface AnalyticsTopSketch {
  readonly floor: number;
  readonly items: ReadonlyArray<readonly [key: string, count: number, error: number]>;
}

export interface AnalyticsTopSketches {
  readonly ips: AnalyticsTopSketch;
  readonly paths: AnalyticsTopSketch;
  readonly countries: AnalyticsTopSketch;
  readonly asns: AnalyticsTopSketch;
  readonly userAgents: AnalyticsTopSketch;
}

/**
 * One (zone, resolution, bucket) row, or a delta to add to it. JSON-friendly: stored as is by every adapter.
 * Merging two rows: numbers are added, `threats` added per kind, `uniques` (HyperLogLog registers, encoded by
 * src/analytics/hll.ts) max-merged, `top` sketches merged (src/analytics/rows.ts `mergeRows` does all of it).
 */
export interface AnalyticsDelta {
  readonly zoneId: string;
  readonly resolution: AnalyticsResolution;
  /** Start of the bucket, ms since the epoch, a multiple of 60 000 (minute) or 3 600 000 (hour). */
  readonly bucket: number;
  readonly requests: number;
  readonly bytes: number;
  readonly cachedRequests: number;
  readonly cachedBytes: number;
  /** 2xx HTML responses. */
  readonly pageviews: number;
  readonly status: AnalyticsStatusCounts;
  /** Requests a security feature blocked or challenged, by kind (waf, firewall, ratelimit, challenge, access, mitigation, reputation). */
  readonly threats: Readonly<Record<string, number>>;
  /** HyperLogLog registers of client IPs, encoded ('' when empty). */
  readonly uniques: string;
  readonly top: AnalyticsTopSketches;
}

export interface AnalyticsQuery {
  readonly zoneId: string;
  /** Inclusive, ms since the epoch. Rows whose bucket start lies in [since, until) are counted. */
  readonly since: number;
  /** Exclusive. */
  readonly until: number;
  /** 'minute' (default): minute rows and, where minutes were rolled up, hourly rows, each as its own point; 'hour': all folded into hours. */
  readonly resolution?: AnalyticsResolution;
  /** How many entries per top list (default 10, at most 100). */
  readonly top?: number;
}

export interface AnalyticsTotals {
  readonly requests: number;
  readonly bytes: number;
  readonly cachedRequests: number;
  readonly cachedBytes: number;
  readonly pageviews: number;
  readonly status: AnalyticsStatusCounts;
  readonly threats: Readonly<Record<string, number>>;
  /** Estimated distinct client IPs (HyperLogLog). */
  readonly uniques: number;
}

export interface AnalyticsPoint extends AnalyticsTotals {
  /** The point covers [since, until) (ms). */
  readonly since: number;
  readonly until: number;
}

export interface AnalyticsTopEntry {
  readonly key: string;
  /** Upper bound of the true count. */
  readonly count: number;
  /** `count - error` is a lower bound of the true count (0: exact). */
  readonly error: number;
}

export interface AnalyticsSeries {
  readonly zoneId: string;
  readonly since: number;
  readonly until: number;
  readonly resolution: AnalyticsResolution;
  /** Oldest first; only buckets that saw traffic. */
  readonly points: readonly AnalyticsPoint[];
  /** Over the whole range (uniques estimated over the range, not summed). */
  readonly totals: AnalyticsTotals;
  readonly top: {
    readonly ips: readonly AnalyticsTopEntry[];
    readonly paths: readonly AnalyticsTopEntry[];
    readonly countries: readonly AnalyticsTopEntry[];
    readonly asns: readonly AnalyticsTopEntry[];
    readonly userAgents: readonly AnalyticsTopEntry[];
  };
}

/**
 * Per-zone traffic analytics. The edge's aggregators `add` deltas every few seconds (never a write per request);
 * the control plane queries; a periodic task rolls minute rows older than 24 h into hourly rows and prunes
 * hourly rows older than 90 days. `add` is atomic per call and merges concurrent writers (several processes).
 */
export interface AnalyticsStore extends Closeable {
  /**
   * Merge the deltas into their rows (created when absent), atomically for the call; the merge may be deferred to
   * `rollup` as long as `query` answers as if merged. Throws RangeError on a malformed delta (nothing written).
   */
  add(rows: readonly AnalyticsDelta[]): Promise<void>;
  query(q: AnalyticsQuery): Promise<AnalyticsSeries>;
  /**
   * Fold every minute row of an hour that ended 24 h or more before `now` (bucket < floorHour(now − 24 h)) into
   * its hourly row, deleting the minute rows. Returns how many (zone, minute) buckets were rolled. An adapter that
   * appends deltas unmerged (SQLite: no read-merge-write in the edge worker) also compacts them here; query
   * answers never depend on whether that happened.
   */
  rollup(now: number): Promise<number>;
  /** Delete hourly rows whose bucket is older than 90 days (bucket < now − 90 d). Returns how many went. */
  prune(now: number): Promise<number>;
}

// --- issue 9: abuse reports (src/control/services/abuse.ts, src/edge/abuse/) -------------------------------------

/** What an abuse report is about (Cloudflare's form has the same kinds). */
export const ABUSE_CATEGORIES = ['copyright', 'phishing', 'malware', 'harassment', 'csam', 'violent_threat', 'other'] as const;
export type AbuseCategory = (typeof ABUSE_CATEGORIES)[number];

/** received: recorded; forwarded: at least one recipient got it; closed: the operator closed it (with a note). */
export const ABUSE_STATUSES = ['received', 'forwarded', 'closed'] as const;
export type AbuseReportStatus = (typeof ABUSE_STATUSES)[number];

/** One attempt to forward a report to a recipient. */
export interface AbuseForwarding {
  /** owner: the zone's account email; hosting: the zone's `settings.abuse_contact`. */
  readonly role: 'owner' | 'hosting';
  /** The address, or null when the zone has none for this role. */
  readonly to: string | null;
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly ok: boolean;
  /** What happened: `sent (250 ...)`, `forward pending: no SMTP relay configured`, the SMTP error... */
  readonly detail: string;
}

/** One status change (the first is `received` at creation). */
export interface AbuseStatusChange {
  readonly time: number;
  readonly status: AbuseReportStatus;
  /** The operator's note (never shown on the public status page). */
  readonly note: string;
}

/** What the reporter sent, validated, as the store records it. */
export interface AbuseReportInput {
  readonly zoneId: string;
  /** The zone's name when the report was made. */
  readonly zone: string;
  /** The hostname reported. */
  readonly host: string;
  /** The URL reported, or null (the whole host). */
  readonly url: string | null;
  readonly category: AbuseCategory;
  readonly description: string;
  readonly reporterName: string | null;
  readonly reporterEmail: string | null;
  /** The reporter agreed that their name and email are passed on to the site's owner and host. */
  readonly shareContact: boolean;
  /** Milliseconds since the epoch. */
  readonly created: number;
}

export interface AbuseReport extends AbuseReportInput {
  /** `AR-` + 13 Crockford base32 characters (64 random bits): unguessable, the reporter's only key. */
  readonly ticket: string;
  readonly status: AbuseReportStatus;
  /** Time of the last change (ms). */
  readonly updated: number;
  /** Time of the first successful forwarding, or null. */
  readonly forwardedAt: number | null;
  readonly forwards: readonly AbuseForwarding[];
  readonly history: readonly AbuseStatusChange[];
}

export interface AbuseReportQuery {
  readonly zoneId?: string;
  readonly status?: AbuseReportStatus;
  /** Created at or after (ms). */
  readonly since?: number;
  /** Default 100, at most 1000. */
  readonly limit?: number;
}

export interface AbuseReportCounts {
  /** Reports created in the period. */
  readonly received: number;
  /** Reports whose first successful forwarding happened in the period. */
  readonly forwarded: number;
  /** Reports created in the period, by category (every category present, 0 when none). */
  readonly byCategory: Readonly<Record<AbuseCategory, number>>;
}

/**
 * Abuse reports: written by the control plane (AbuseService), never by the edge. Every method is atomic: a crash
 * mid-write leaves the report as it was or as it became, never half-changed.
 */
export interface AbuseReportStore extends Closeable {
  /** Record a new report with status `received`; returns it with its fresh ticket. */
  create(input: AbuseReportInput): Promise<AbuseReport>;
  get(ticket: string): Promise<AbuseReport | undefined>;
  /** Newest first. */
  list(q?: AbuseReportQuery): Promise<AbuseReport[]>;
  /** Append a status change (with `time`); returns the report, undefined when the ticket is unknown. */
  setStatus(ticket: string, status: AbuseReportStatus, note: string, time: number): Promise<AbuseReport | undefined>;
  /**
   * Append a forwarding outcome. The first `ok` one sets `forwardedAt` and moves a `received` report to
   * `forwarded` (history entry `forwarded`, note `forwarded to ROLE`). Undefined when the ticket is unknown.
   */
  addForward(ticket: string, f: AbuseForwarding): Promise<AbuseReport | undefined>;
  /** Counts for [since, until) (ms) for the transparency report. */
  counts(since: number, until: number): Promise<AbuseReportCounts>;
}

/** One field problem of an abuse report; `field` is the form/JSON field name. */
export interface AbuseFieldError { readonly field: string; readonly message: string }

/** What a submission of the public abuse form gets back (the edge's form and the control plane's service share it). */
export type AbuseSubmitResult =
  | { readonly ok: true; readonly ticket: string }
  | { readonly ok: false; readonly status: number; readonly errors: readonly AbuseFieldError[] };

/** The public status of a ticket: status and dates only. */
export interface AbuseTicketView {
  readonly ticket: string;
  readonly status: AbuseReportStatus;
  readonly received: string;
  readonly updated: string;
  readonly forwarded: string | null;
  readonly history: ReadonlyArray<{ readonly status: AbuseReportStatus; readonly time: string }>;
}
