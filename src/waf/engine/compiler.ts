/**
 * The SecLang compiler: walks directives (following Include globs), configures engine settings, builds rules,
 * applies SecRuleRemove… and SecRuleUpdate… directives, and returns an immutable Ruleset.
 */
import { globSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { lex } from '../seclang/lexer.ts';
import type { DirectiveToken } from '../seclang/lexer.ts';
import { WafConfigError } from '../seclang/errors.ts';
import { applyActions, applyExclusions, buildRule, errAt, parseTargets } from './rule-builder.ts';
import type { DefaultActions } from './rule-builder.ts';
import type { Rule } from './rule.ts';
import { Ruleset } from './ruleset.ts';
import type { PhaseItem } from './ruleset.ts';
import { defaultSettings } from './settings.ts';
import type { EngineSettings } from './settings.ts';
import type { CollectionStore } from './types.ts';
import { MemoryCollectionStore } from './memory-store.ts';

export interface CompileOptions {
  /** SecLang text (Include paths in it resolve against baseDir) */
  text?: string;
  /** files to load, in order, after `text` */
  files?: string[];
  /** base directory for `text` (default: process.cwd()) */
  baseDir?: string;
  /** persistent collections store (default: in-memory) */
  store?: CollectionStore;
  /** overrides applied after the config text */
  settings?: Partial<EngineSettings>;
}

interface State {
  settings: EngineSettings;
  rules: Rule[];
  order: Array<{ kind: 'rule'; rule: Rule } | { kind: 'marker'; name: string }>;
  defaults: Map<number, DefaultActions>;
  pendingChain: Rule | undefined;
  depth: number;
}

function onOff(d: DirectiveToken): boolean {
  const v = (d.args[0] ?? '').toLowerCase();
  if (v !== 'on' && v !== 'off') throw errAt(d, 0, `${d.name} expects On or Off`);
  return v === 'on';
}

function intArg(d: DirectiveToken): number {
  const n = Number(d.args[0]);
  if (!Number.isFinite(n) || n < 0) throw errAt(d, 0, `${d.name} expects a number`);
  return n;
}

function idMatcher(spec: string[]): (id: number) => boolean {
  const ranges: Array<[number, number]> = [];
  for (const part of spec.join(' ').split(/[\s,]+/).filter((p) => p !== '')) {
    const [a, b] = part.split('-');
    ranges.push([Number(a), b === undefined ? Number(a) : Number(b)]);
  }
  return (id) => ranges.some(([lo, hi]) => id >= lo && id <= hi);
}

const IGNORED = new Set([
  'secauditengine', 'secauditlog', 'secauditlogparts', 'secauditlogrelevantstatus', 'secauditlogtype', 'secauditlogformat',
  'secauditlogstoragedir', 'secauditlogdirmode', 'secauditlogfilemode', 'secdebuglog', 'secdebugloglevel', 'sectmpdir',
  'secdatadir', 'secuploaddir', 'secuploadkeepfiles', 'secuploadfilemode', 'secuploadfilelimit', 'secpcrematchlimit',
  'secpcrematchlimitrecursion', 'secunicodemapfile', 'secstatusengine', 'secserversignature', 'sectmpsaveuploadedfiles',
  'secrequestbodyinmemorylimit', 'seccookieformat', 'secwebappid', 'sechashengine', 'sechashkey', 'sechashparam',
  'sechashmethodrx', 'sechashmethodpm', 'secxmlexternalentity', 'secargumentseparator', 'secgeolookupdb', 'secsensorid',
  'secconnengine', 'secruleperftime', 'secstreaminbodyinspection', 'secstreamoutbodyinspection', 'secinterceptonerror',
  'secresponsebodymimetypesclear', 'secconnreadstatelimit', 'secconnwritestatelimit', 'secchrootdir', 'seccontentinjection',
  'secdisablebackendcompression', 'secgsblookupdb', 'secguardianlog', 'secmarker_', 'secauditlog2', 'secremoterules',
  'secremoterulesfailaction', 'secruleinheritance', 'secreadstatelimit', 'secwritestatelimit', 'secrequestbodyjsondepthlimit_',
]);

function handle(st: State, d: DirectiveToken, baseDir: string): void {
  const name = d.name.toLowerCase();
  const s = st.settings;
  if (st.pendingChain && name !== 'secrule') throw errAt(d, 0, `expected a SecRule to continue the chain started by rule ${st.pendingChain.id}, got ${d.name}`);
  switch (name) {
    case 'include': {
      const pat = d.args[0];
      if (!pat) throw errAt(d, 0, 'Include expects a path or glob');
      const full = isAbsolute(pat) ? pat : resolve(baseDir, pat);
      const files = /[*?[]/.test(full) ? globSync(full).sort() : [full];
      if (st.depth > 20) throw errAt(d, 0, 'Include nested too deeply (loop?)');
      for (const f of files) loadFile(st, f);
      return;
    }
    case 'secruleengine': {
      const v = (d.args[0] ?? '').toLowerCase();
      if (v === 'on') s.ruleEngine = 'On';
      else if (v === 'off') s.ruleEngine = 'Off';
      else if (v === 'detectiononly') s.ruleEngine = 'DetectionOnly';
      else throw errAt(d, 0, 'SecRuleEngine expects On, Off or DetectionOnly');
      return;
    }
    case 'secrequestbodyaccess': s.requestBodyAccess = onOff(d); return;
    case 'secresponsebodyaccess': s.responseBodyAccess = onOff(d); return;
    case 'secrequestbodylimit': s.requestBodyLimit = intArg(d); return;
    case 'secrequestbodynofileslimit': s.requestBodyNoFilesLimit = intArg(d); return;
    case 'secresponsebodylimit': s.responseBodyLimit = intArg(d); return;
    case 'secargumentslimit': s.argumentsLimit = intArg(d); return;
    case 'secrequestbodyjsondepthlimit': s.jsonDepthLimit = intArg(d); return;
    case 'seccollectiontimeout': s.collectionTimeoutSec = intArg(d); return;
    case 'secrequestbodylimitaction':
    case 'secresponsebodylimitaction': {
      const v = (d.args[0] ?? '').toLowerCase();
      const a = v === 'reject' ? 'Reject' : v === 'processpartial' ? 'ProcessPartial' : undefined;
      if (!a) throw errAt(d, 0, `${d.name} expects Reject or ProcessPartial`);
      if (name === 'secrequestbodylimitaction') s.requestBodyLimitAction = a; else s.responseBodyLimitAction = a;
      return;
    }
    case 'secresponsebodymimetype': s.responseBodyMimeTypes = d.args.join(' ').split(/\s+/).filter((x) => x !== '').map((x) => x.toLowerCase()); return;
    case 'seccomponentsignature': s.componentSignatures.push(d.args[0] ?? ''); return;
    case 'secdefaultaction': {
      const text = d.args[0] ?? '';
      const m = /phase:\s*'?([a-z0-9]+)/i.exec(text);
      const v = (m?.[1] ?? '2').toLowerCase();
      const ph = v === 'request' ? 2 : v === 'response' ? 4 : v === 'logging' ? 5 : Number(v);
      if (!(ph >= 1 && ph <= 5)) throw errAt(d, 0, 'SecDefaultAction expects a phase');
      // validate now
      const probe = buildRule({ ...d, name: 'SecAction', args: [text.replace(/(^|,)\s*phase:[^,]*/i, '$1') + ',id:1'] }, true, new Map(), undefined);
      void probe;
      st.defaults.set(ph, { actions: text, file: d.file, line: d.line });
      return;
    }
    case 'secmarker': {
      st.order.push({ kind: 'marker', name: d.args[0] ?? '' });
      return;
    }
    case 'secaction':
    case 'secrule': {
      const isAction = name === 'secaction';
      const parent = st.pendingChain;
      const rule = buildRule(d, isAction, st.defaults, parent);
      if (parent) {
        parent.chain = rule;
      } else {
        st.rules.push(rule);
        st.order.push({ kind: 'rule', rule });
      }
      st.pendingChain = rule.chained ? rule : undefined;
      return;
    }
    case 'secruleremovebyid': {
      const m = idMatcher(d.args);
      removeRules(st, (r) => m(r.id));
      return;
    }
    case 'secruleremovebytag': {
      const tag = d.args.join(' ');
      removeRules(st, (r) => r.tags.includes(tag));
      return;
    }
    case 'secruleremovebymsg': {
      const msg = d.args.join(' ');
      removeRules(st, (r) => r.msg?.source === msg);
      return;
    }
    case 'secruleupdatetargetbyid':
    case 'secruleupdatetargetbytag':
    case 'secruleupdatetargetbymsg': {
      const sel = d.args[0] ?? '';
      const { targets, exclusions } = parseTargets(d.args[1] ?? '', d, 1);
      const idm = name === 'secruleupdatetargetbyid' ? idMatcher([sel]) : undefined;
      for (const r of st.rules) {
        const hit = idm ? idm(r.id) : name === 'secruleupdatetargetbytag' ? r.tags.includes(sel) : r.msg?.source === sel;
        if (!hit) continue;
        applyExclusions(r.targets, exclusions);
        for (const t of targets) r.targets.push({ ...t, exclusions: [] });
      }
      return;
    }
    case 'secruleupdateactionbyid': {
      const idm = idMatcher([d.args[0] ?? '']);
      for (const r of st.rules) if (idm(r.id)) applyActions(r, d.args[1] ?? '', d, 1, new Set(['id', 'phase']));
      return;
    }
    default:
      if (IGNORED.has(name)) return;
      throw new WafConfigError(d.file, d.line, d.column, `unknown directive "${d.name}": expected SecRule, SecAction, SecMarker, Include or another Sec* directive`);
  }
}

function removeRules(st: State, pred: (r: Rule) => boolean): void {
  st.rules = st.rules.filter((r) => !pred(r));
  st.order = st.order.filter((o) => o.kind === 'marker' || !pred(o.rule));
}

function loadText(st: State, text: string, file: string, baseDir: string): void {
  st.depth++;
  for (const d of lex(text, file)) handle(st, d, baseDir);
  st.depth--;
}

function loadFile(st: State, file: string): void {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) { throw new WafConfigError(file, 0, 0, `cannot read file: ${(e as Error).message}`); }
  loadText(st, text, file, dirname(file));
}

/** Compile SecLang text and/or files into a shareable Ruleset. Throws WafConfigError with file:line:column. */
export function compileRulesetSync(opts: CompileOptions): Ruleset {
  const t0 = performance.now();
  const st: State = { settings: defaultSettings(), rules: [], order: [], defaults: new Map(), pendingChain: undefined, depth: 0 };
  const baseDir = opts.baseDir ?? process.cwd();
  if (opts.text !== undefined) loadText(st, opts.text, resolve(baseDir, '<inline>'), baseDir);
  for (const f of opts.files ?? []) loadFile(st, isAbsolute(f) ? f : resolve(baseDir, f));
  if (st.pendingChain) {
    throw new WafConfigError(st.pendingChain.file, st.pendingChain.line, 1, `rule ${st.pendingChain.id} has "chain" but no SecRule follows`);
  }
  Object.assign(st.settings, opts.settings ?? {});
  const phases: PhaseItem[][] = [[], [], [], [], [], []];
  for (const o of st.order) {
    if (o.kind === 'marker') for (let p = 1; p <= 5; p++) phases[p]?.push(o);
    else phases[o.rule.phase]?.push(o);
  }
  return new Ruleset(st.settings, st.rules, phases, opts.store ?? new MemoryCollectionStore(), performance.now() - t0);
}

export async function compileRuleset(opts: CompileOptions): Promise<Ruleset> {
  return compileRulesetSync(opts);
}
