/**
 * Rampart's SecLang WAF engine (public API). Modelled on Coraza; runs the OWASP CRS unchanged.
 *
 * ```ts
 * const ruleset = await compileRuleset({ text: crsConfig({ crsDir, paranoia: 1, mode: 'block' }) }); // once, shared
 * const tx = ruleset.newTransaction({ id: rayId, clientIp, clientPort, serverIp, serverPort });   // per request
 * let it = tx.processRequestHeaders({ method, uri, protocol: 'HTTP/1.1', headers });            // phase 1
 * it ??= tx.appendRequestBody(chunk);                                                              // buffered, limited
 * it ??= tx.processRequestBody();                                                                  // phase 2
 * it ??= tx.processResponseHeaders(status, headers);                                               // phase 3
 * tx.appendResponseBody(chunk); it ??= tx.processResponseBody();                                   // phase 4
 * tx.processLogging();                                                                             // phase 5, always
 * tx.matches; tx.anomalyScore; tx.budgetExceeded; tx.interruption
 * ```
 * Interruptions are values, never thrown. Configuration errors throw WafConfigError {file,line,column,message}.
 */
import './operators/index.ts';
import './transformations/index.ts';
import './actions/index.ts';

export { compileRuleset, compileRulesetSync } from './engine/compiler.ts';
export type { CompileOptions } from './engine/compiler.ts';
export { Ruleset } from './engine/ruleset.ts';
export { Transaction } from './engine/transaction.ts';
export type { TransactionOptions } from './engine/transaction.ts';
export type { RequestHeadersInput } from './engine/request.ts';
export type { Interruption, MatchRecord, CollectionStore } from './engine/types.ts';
export type { EngineSettings, RuleEngineMode } from './engine/settings.ts';
export { MemoryCollectionStore } from './engine/memory-store.ts';
export { WafConfigError } from './seclang/errors.ts';
export { crsConfig } from './crs-config.ts';
export type { CrsConfigOptions } from './crs-config.ts';
export { defaultCrsDir } from './crs-dir.ts';
export { operatorNames, regexStats, setRuleRegexMode, ruleRegexMode } from './operators/index.ts';
export type { RegexMode } from './operators/index.ts';
export { transformationNames } from './transformations/index.ts';
export { actionNames } from './actions/index.ts';
