/**
 * Builds the SecLang text that runs the OWASP CRS with Rampart's zone settings: engine settings like Coraza's
 * coraza.conf-recommended, the crs-setup variables (paranoia, blocking paranoia, thresholds), the CRS rules, then
 * the zone's exclusions and own rules.
 */
import { join } from 'node:path';
import { readFileSync, existsSync } from 'node:fs';

export interface CrsConfigOptions {
  /** directory holding rules/ (and crs-setup.conf.example) */
  crsDir: string;
  paranoia: 1 | 2 | 3 | 4;
  /** detection paranoia level (default: same as paranoia) */
  detectionParanoia?: 1 | 2 | 3 | 4;
  mode: 'off' | 'detect' | 'block';
  inboundThreshold?: number;
  outboundThreshold?: number;
  exclusions?: { ids?: number[]; tags?: string[] };
  /** extra tx.* settings (e.g. { arg_length: 400 }) applied in crs-setup */
  setup?: Record<string, string | number>;
  /** SecLang placed before the CRS rules (e.g. ctl-based exclusions) */
  preRules?: string;
  /** SecLang placed after the CRS rules (the zone's own rules) */
  extraRules?: string;
  responseBodyAccess?: boolean;
}

function crsVersionNumber(crsDir: string): string {
  const p = join(crsDir, 'crs-setup.conf.example');
  if (existsSync(p)) {
    const m = /setvar:tx\.crs_setup_version=(\d+)/.exec(readFileSync(p, 'utf8'));
    if (m?.[1]) return m[1];
  }
  return '4280';
}

const q = (s: string): string => s.replace(/'/g, "\\'");

export function crsConfig(o: CrsConfigOptions): string {
  const engine = o.mode === 'off' ? 'Off' : o.mode === 'detect' ? 'DetectionOnly' : 'On';
  const ver = crsVersionNumber(o.crsDir);
  const lines: string[] = [
    `SecRuleEngine ${engine}`,
    'SecRequestBodyAccess On',
    `SecRule REQUEST_HEADERS:Content-Type "@rx ^(?:application(?:/soap\\+|/)|text/)xml" "id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"`,
    `SecRule REQUEST_HEADERS:Content-Type "@rx ^application/json" "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"`,
    'SecRequestBodyLimit 13107200',
    'SecRequestBodyNoFilesLimit 131072',
    'SecRequestBodyLimitAction Reject',
    `SecRule REQBODY_ERROR "!@eq 0" "id:200002,phase:2,t:none,log,deny,status:400,msg:'Failed to parse request body.',logdata:'%{reqbody_error_msg}',severity:2"`,
    `SecRule MULTIPART_STRICT_ERROR "!@eq 0" "id:200003,phase:2,t:none,log,deny,status:400,msg:'Multipart request body failed strict validation'"`,
    `SecResponseBodyAccess ${o.responseBodyAccess === false ? 'Off' : 'On'}`,
    'SecResponseBodyMimeType text/plain text/html text/xml application/json',
    'SecResponseBodyLimit 524288',
    'SecResponseBodyLimitAction ProcessPartial',
    'SecArgumentsLimit 1000',
    'SecDefaultAction "phase:1,log,auditlog,pass"',
    'SecDefaultAction "phase:2,log,auditlog,pass"',
    'SecDefaultAction "phase:3,log,auditlog,pass"',
    'SecDefaultAction "phase:4,log,auditlog,pass"',
    'SecDefaultAction "phase:5,log,auditlog,pass"',
  ];
  const sets: Array<[string, string | number]> = [
    ['blocking_paranoia_level', o.paranoia],
    ['detection_paranoia_level', o.detectionParanoia ?? o.paranoia],
    ['inbound_anomaly_score_threshold', o.inboundThreshold ?? 5],
    ['outbound_anomaly_score_threshold', o.outboundThreshold ?? 4],
    ['crs_setup_version', ver],
    ...Object.entries(o.setup ?? {}),
  ];
  lines.push(`SecAction "id:900990,phase:1,pass,t:none,nolog,tag:'OWASP_CRS',${sets.map(([k, v]) => `setvar:'tx.${k}=${q(String(v))}'`).join(',')}"`);
  if (o.preRules) lines.push(o.preRules);
  lines.push(`Include ${join(o.crsDir, 'rules', '*.conf')}`);
  for (const id of o.exclusions?.ids ?? []) lines.push(`SecRuleRemoveById ${id}`);
  for (const tag of o.exclusions?.tags ?? []) lines.push(`SecRuleRemoveByTag "${tag.replace(/"/g, '')}"`);
  if (o.extraRules) lines.push(o.extraRules);
  return lines.join('\n') + '\n';
}
