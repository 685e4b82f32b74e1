import { registerAction } from './registry.ts';
/**
 * Informational actions that change nothing in evaluation here: `rev`, `maturity`, `accuracy`, `auditlog`,
 * `noauditlog`, `sanitiseArg`, `sanitiseMatched`, `sanitiseMatchedBytes`, `sanitiseRequestHeader`,
 * `sanitiseResponseHeader`, `exec`, `setuid`, `setsid`, `setrsc`, `deprecatevar`, `append`, `prepend`, `xmlns`.
 * Example: `rev:'2',auditlog`
 */
for (const name of ['rev', 'maturity', 'accuracy', 'auditlog', 'noauditlog', 'sanitiseArg', 'sanitiseMatched', 'sanitiseMatchedBytes', 'sanitiseRequestHeader', 'sanitiseResponseHeader', 'exec', 'setuid', 'setsid', 'setrsc', 'deprecatevar', 'append', 'prepend', 'xmlns']) {
  registerAction({ name, kind: 'metadata', doc: `${name} — accepted, no effect in this engine`, init: () => undefined });
}
