/**
 * A transaction: one request/response through the ruleset. Cheap to create; holds the variables, the matches and
 * the interruption. Phases 1-5 are run by the process* methods, each returning the Interruption, if any.
 */
import { performance } from 'node:perf_hooks';
import type { Clock } from '../../lib/clock.ts';
import { systemClock } from '../../lib/clock.ts';
import { KeyedCollection } from './collection.ts';
import { runPhase } from './phase-runner.ts';
import type { PhaseNumber, Rule, RuleTarget } from './rule.ts';
import type { Ruleset } from './ruleset.ts';
import type { RuleEngineMode } from './settings.ts';
import type { Interruption, MatchRecord } from './types.ts';
import type { XmlData } from '../bodies/index.ts';
import { populateRequestHeaders, processBody, populateResponseHeaders } from './request.ts';
import type { RequestHeadersInput } from './request.ts';

export interface TransactionOptions {
  id?: string;
  clientIp?: string;
  clientPort?: number;
  serverIp?: string;
  serverPort?: number;
  clock?: Clock;
  /** WAF CPU-time budget for this transaction in ms (default: the ruleset's, 50) */
  budgetMs?: number;
}

const PERSISTENT = new Set(['IP', 'GLOBAL', 'SESSION', 'USER', 'RESOURCE']);
const WRITABLE = new Set(['TX', 'ENV', ...PERSISTENT]);

let counter = 0;

export class Transaction {
  readonly id: string;
  readonly ruleset: Ruleset;
  readonly clock: Clock;
  readonly startedAt: number;
  readonly single = new Map<string, string>();
  readonly cols = new Map<string, KeyedCollection>();
  readonly matches: MatchRecord[] = [];
  /** transformation chain → input value → output (per transaction) */
  readonly transformCache = new Map<string, Map<string, string>>();
  interruption: Interruption | undefined;
  ruleEngine: RuleEngineMode;
  requestBodyAccess: boolean;
  responseBodyAccess: boolean;
  forceRequestBodyVariable = false;
  requestBodyProcessor: string | undefined;
  requestBodyLimit: number;
  removedRuleRanges: Array<[number, number]> = [];
  removedRuleTags: string[] = [];
  removedRuleMsgs: string[] = [];
  removedTargets: Array<{ match: (r: Rule) => boolean; target: RuleTarget }> = [];
  allowScope: 'all' | 'phase' | 'request' | undefined;
  xml: XmlData | undefined;
  currentPhase: PhaseNumber = 1;
  budgetMs: number;
  budgetExceeded = false;
  /** rule id at which evaluation stopped when the budget ran out */
  budgetStoppedAt = 0;
  wafTimeMs = 0;
  readonly reqBody: Buffer[] = [];
  reqBodyLength = 0;
  reqBodyTruncated = false;
  readonly resBody: Buffer[] = [];
  resBodyLength = 0;
  responseContentType = '';
  #persisted = new Map<string, string>();
  #dirty = new Set<string>();
  #expiry = new Map<string, number>();
  #phase = 0;

  constructor(ruleset: Ruleset, opts: TransactionOptions) {
    this.ruleset = ruleset;
    this.clock = opts.clock ?? systemClock;
    this.startedAt = this.clock.now();
    this.id = opts.id ?? `${this.startedAt.toString(36)}${(counter++).toString(36)}`;
    const s = ruleset.settings;
    this.ruleEngine = s.ruleEngine;
    this.requestBodyAccess = s.requestBodyAccess;
    this.responseBodyAccess = s.responseBodyAccess;
    this.requestBodyLimit = s.requestBodyLimit;
    this.budgetMs = opts.budgetMs ?? s.budgetMs;
    this.single.set('UNIQUE_ID', this.id);
    this.single.set('REMOTE_ADDR', opts.clientIp ?? '');
    this.single.set('REMOTE_PORT', String(opts.clientPort ?? 0));
    this.single.set('SERVER_ADDR', opts.serverIp ?? '');
    this.single.set('SERVER_PORT', String(opts.serverPort ?? 0));
    this.single.set('REQBODY_ERROR', '0');
    this.single.set('REQBODY_PROCESSOR_ERROR', '0');
    this.single.set('INBOUND_DATA_ERROR', '0');
    this.single.set('OUTBOUND_DATA_ERROR', '0');
    this.single.set('HIGHEST_SEVERITY', '255');
  }

  get hasRemovals(): boolean {
    return this.removedRuleRanges.length > 0 || this.removedRuleTags.length > 0 || this.removedRuleMsgs.length > 0;
  }

  // ---- variables -------------------------------------------------------------------------------------------------

  collection(name: string): KeyedCollection | undefined {
    return this.cols.get(name);
  }

  col(name: string): KeyedCollection {
    let c = this.cols.get(name);
    if (!c) { c = new KeyedCollection(name); this.cols.set(name, c); }
    return c;
  }

  writableCollection(name: string): KeyedCollection | undefined {
    return WRITABLE.has(name) ? this.col(name) : undefined;
  }

  touchCollection(name: string): void {
    if (PERSISTENT.has(name)) this.#dirty.add(name);
  }

  singleValue(name: string): string | undefined {
    if (name === 'DURATION') return String(Math.round((this.clock.now() - this.startedAt) * 1000));
    if (name.startsWith('TIME')) return timeVar(name, this.clock.now());
    return this.single.get(name);
  }

  setCapture(i: number, value: string): void {
    this.col('TX').set(String(i), value);
  }

  #matchedVar = '';
  #matchedVarName = '';

  clearMatchedVars(): void {
    this.cols.get('MATCHED_VARS')?.clear();
  }

  recordMatchedVar(name: string, value: string): void {
    this.#matchedVar = value;
    this.#matchedVarName = name;
    this.single.set('MATCHED_VAR', value);
    this.single.set('MATCHED_VAR_NAME', name);
    this.col('MATCHED_VARS').add(name, value);
  }

  /** Value of `%{COL.key}` / `%{VAR}` in macros. */
  macroValue(col: string, key: string | undefined, rule?: Rule): string {
    if (col === 'RULE' && rule) {
      const k = (key ?? '').toLowerCase();
      if (k === 'id') return String(rule.chainStarterId || rule.id);
      if (k === 'msg') return rule.msg ? rule.msg.expand(this, rule) : '';
      if (k === 'severity') return rule.severity;
      if (k === 'ver') return rule.ver;
      if (k === 'phase') return String(rule.phase);
      if (k === 'operator_value') return rule.operator.param;
      return '';
    }
    if (key === undefined) {
      if (col === 'MATCHED_VAR') return this.#matchedVar;
      if (col === 'MATCHED_VAR_NAME') return this.#matchedVarName;
      return this.singleValue(col) ?? '';
    }
    const c = this.cols.get(col);
    if (c) return c.first(key) ?? '';
    if (col === 'XML') return this.xml?.texts[0] ?? '';
    return '';
  }

  // ---- persistent collections -------------------------------------------------------------------------------------

  initCollection(name: string, key: string): void {
    if (!PERSISTENT.has(name)) return;
    this.#persisted.set(name, key);
    const c = this.col(name);
    c.clear();
    const rec = this.ruleset.store.get(name, key);
    const now = this.clock.now();
    if (rec) {
      for (const [k, v] of Object.entries(rec)) {
        if (k.startsWith('__expire_')) continue;
        const exp = rec['__expire_' + k];
        if (exp !== undefined && Number(exp) <= now) continue;
        if (exp !== undefined) this.#expiry.set(name + '.' + k, Number(exp));
        c.set(k, v);
      }
    }
    if (!c.has('create_time')) c.set('create_time', String(Math.floor(now / 1000)));
    c.set('timeout', String(this.ruleset.settings.collectionTimeoutSec));
  }

  expireVar(col: string, key: string, seconds: number): void {
    this.#expiry.set(col + '.' + key, this.clock.now() + seconds * 1000);
    this.touchCollection(col);
  }

  #persist(): void {
    for (const name of this.#dirty) {
      const key = this.#persisted.get(name);
      if (key === undefined) continue;
      const c = this.col(name);
      const rec: Record<string, string> = {};
      for (const e of c.entries()) rec[e.key.toLowerCase()] = e.value;
      for (const [k, exp] of this.#expiry) if (k.startsWith(name + '.')) rec['__expire_' + k.slice(name.length + 1)] = String(exp);
      this.ruleset.store.set(name, key, rec, this.ruleset.settings.collectionTimeoutSec);
    }
    this.#dirty.clear();
  }

  // ---- rule outcomes -------------------------------------------------------------------------------------------------

  onRuleMatched(rule: Rule): void {
    if (!rule.log) return;
    const sev = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'].indexOf(rule.severity);
    if (sev >= 0 && sev < Number(this.single.get('HIGHEST_SEVERITY'))) this.single.set('HIGHEST_SEVERITY', String(sev));
    this.matches.push({
      id: rule.id,
      msg: rule.msg ? rule.msg.expand(this, rule) : '',
      data: rule.logdata ? rule.logdata.expand(this, rule).slice(0, 512) : '',
      severity: rule.severity,
      tags: rule.tags,
      phase: rule.phase,
      variable: this.#matchedVarName,
      disruptive: rule.disruptive === 'deny' || rule.disruptive === 'drop' || rule.disruptive === 'redirect',
    });
  }

  onBudgetExceeded(ruleId: number): void {
    this.budgetExceeded = true;
    this.budgetStoppedAt = ruleId;
    if (this.ruleset.settings.budgetFailMode === 'closed' && this.ruleEngine === 'On' && !this.interruption) {
      this.interruption = { action: 'deny', status: 403, ruleId: 0 };
    }
  }

  /** Inbound/outbound anomaly scores from the CRS's TX variables. */
  get anomalyScore(): { inbound: number; outbound: number } {
    const tx = this.cols.get('TX');
    const n = (k: string): number => Number(tx?.first(k) ?? 0) || 0;
    return {
      inbound: n('blocking_inbound_anomaly_score') || n('inbound_anomaly_score'),
      outbound: n('blocking_outbound_anomaly_score') || n('outbound_anomaly_score'),
    };
  }

  #run(phase: PhaseNumber): Interruption | undefined {
    if (phase <= this.#phase && phase !== 5) return this.interruption;
    // a skipped earlier phase still runs first (e.g. processRequestBody without headers)
    for (let p = (this.#phase + 1) as PhaseNumber; p < phase; p = (p + 1) as PhaseNumber) {
      if (p === 1 || p === 3) continue;
      runPhase(this, p);
    }
    this.#phase = phase;
    runPhase(this, phase);
    return this.interruption;
  }

  // ---- public lifecycle ------------------------------------------------------------------------------------------------

  /** Phase 1. `uri` is the raw request-target; header names and values as received. */
  processRequestHeaders(req: RequestHeadersInput): Interruption | undefined {
    const t0 = performance.now();
    populateRequestHeaders(this, req);
    this.wafTimeMs += performance.now() - t0;
    return this.#run(1);
  }

  /** Buffer request body bytes up to SecRequestBodyLimit (Reject → 413 interruption in blocking mode). */
  appendRequestBody(chunk: Buffer): Interruption | undefined {
    if (this.interruption) return this.interruption;
    const limit = this.requestBodyLimit;
    if (this.reqBodyLength + chunk.length > limit) {
      const room = Math.max(0, limit - this.reqBodyLength);
      if (room > 0) this.reqBody.push(chunk.subarray(0, room));
      this.reqBodyLength += room;
      this.reqBodyTruncated = true;
      this.single.set('INBOUND_DATA_ERROR', '1');
      if (this.ruleset.settings.requestBodyLimitAction === 'Reject' && this.ruleEngine === 'On') {
        this.interruption = { action: 'deny', status: 413, ruleId: 0 };
      }
      return this.interruption;
    }
    this.reqBody.push(chunk);
    this.reqBodyLength += chunk.length;
    return undefined;
  }

  /** Phase 2: parse the body (urlencoded, multipart, JSON, XML) and run the request-body rules. */
  processRequestBody(): Interruption | undefined {
    if (this.interruption) return this.interruption;
    const t0 = performance.now();
    processBody(this);
    this.wafTimeMs += performance.now() - t0;
    return this.#run(2);
  }

  /** Phase 3. */
  processResponseHeaders(status: number, headers: Array<[string, string]>, protocol = 'HTTP/1.1'): Interruption | undefined {
    populateResponseHeaders(this, status, headers, protocol);
    return this.#run(3);
  }

  /** Buffer response body bytes (only when response body access is on and the MIME type is inspected). */
  appendResponseBody(chunk: Buffer): Interruption | undefined {
    if (!this.responseBodyAccess) return this.interruption;
    const mt = this.responseContentType.split(';')[0]?.trim().toLowerCase() ?? '';
    if (!this.ruleset.settings.responseBodyMimeTypes.includes(mt)) return this.interruption;
    const room = this.ruleset.settings.responseBodyLimit - this.resBodyLength;
    if (room <= 0) return this.interruption;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.resBody.push(part);
    this.resBodyLength += part.length;
    return this.interruption;
  }

  /** Phase 4. */
  processResponseBody(): Interruption | undefined {
    if (this.resBody.length > 0) {
      const body = Buffer.concat(this.resBody).toString('latin1');
      this.single.set('RESPONSE_BODY', body);
      this.single.set('RESPONSE_BODY_LENGTH', String(body.length));
    }
    return this.#run(4);
  }

  /** Phase 5 (always runs), then persists IP/GLOBAL/... collections. */
  processLogging(): void {
    this.#run(5);
    this.#persist();
  }
}

function timeVar(name: string, now: number): string {
  const d = new Date(now);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  switch (name) {
    case 'TIME': return `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
    case 'TIME_DAY': return String(d.getDate());
    case 'TIME_EPOCH': return String(Math.floor(now / 1000));
    case 'TIME_HOUR': return String(d.getHours());
    case 'TIME_MIN': return String(d.getMinutes());
    case 'TIME_MON': return String(d.getMonth() + 1);
    case 'TIME_SEC': return String(d.getSeconds());
    case 'TIME_WDAY': return String(d.getDay());
    case 'TIME_YEAR': return String(d.getFullYear());
    default: return '';
  }
}
