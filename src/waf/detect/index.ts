/** Our own SQL-injection and XSS detectors for the WAF operators @detectSQLi and @detectXSS. */
export { detectSqli } from './sqli.ts';
export type { SqliResult } from './sqli.ts';
export { detectXss } from './xss.ts';
