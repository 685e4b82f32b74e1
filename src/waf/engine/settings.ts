/** Engine settings set by Sec* directives (the parts of coraza.conf / modsecurity.conf the engine honours). */
export type RuleEngineMode = 'On' | 'Off' | 'DetectionOnly';

export interface EngineSettings {
  ruleEngine: RuleEngineMode;
  requestBodyAccess: boolean;
  responseBodyAccess: boolean;
  /** total request body bytes buffered (SecRequestBodyLimit) */
  requestBodyLimit: number;
  /** request body bytes excluding files (SecRequestBodyNoFilesLimit) */
  requestBodyNoFilesLimit: number;
  requestBodyLimitAction: 'Reject' | 'ProcessPartial';
  responseBodyLimit: number;
  responseBodyLimitAction: 'Reject' | 'ProcessPartial';
  responseBodyMimeTypes: string[];
  argumentsLimit: number;
  jsonDepthLimit: number;
  componentSignatures: string[];
  collectionTimeoutSec: number;
  /** per-transaction WAF time budget in ms (default 50) */
  budgetMs: number;
  /** when the budget is exceeded: 'open' lets the request through, 'closed' interrupts with 403 */
  budgetFailMode: 'open' | 'closed';
}

export function defaultSettings(): EngineSettings {
  return {
    ruleEngine: 'On',
    requestBodyAccess: false,
    responseBodyAccess: false,
    requestBodyLimit: 13107200,
    requestBodyNoFilesLimit: 131072,
    requestBodyLimitAction: 'Reject',
    responseBodyLimit: 524288,
    responseBodyLimitAction: 'ProcessPartial',
    responseBodyMimeTypes: ['text/plain', 'text/html'],
    argumentsLimit: 1000,
    jsonDepthLimit: 1024,
    componentSignatures: [],
    collectionTimeoutSec: 3600,
    budgetMs: 50,
    budgetFailMode: 'open',
  };
}
