/**
 * Cheap first filter of bot verification: does the User-Agent claim to be a crawler that can be verified by
 * reverse DNS? Only such requests pay for a DNS lookup; everyone else is simply not a verified bot.
 */

/** User-Agent tokens of crawlers whose operators publish reverse-DNS verification (case-insensitive). */
export const CRAWLER_UA_TOKENS: readonly string[] = [
  'googlebot', 'google-inspectiontool', 'googleother', 'storebot-google', 'adsbot-google', 'mediapartners-google',
  'apis-google', 'feedfetcher-google', 'bingbot', 'adidxbot', 'bingpreview', 'msnbot', 'applebot', 'yandex',
  'duckduckbot', 'baiduspider', 'petalbot', 'amazonbot', 'seznambot',
];

const UA_RE = new RegExp(CRAWLER_UA_TOKENS.map((t) => t.replace(/[-]/g, '\\-')).join('|'), 'i');

/** True when the User-Agent names one of the verifiable crawlers (`CRAWLER_UA_TOKENS`). */
export function claimsCrawler(ua: string | undefined): boolean {
  return ua !== undefined && ua.length > 0 && ua.length < 1024 && UA_RE.test(ua);
}

/**
 * Domains whose hosts may crawl (the PTR name must be one of them or end with `.domain`), from the search
 * engines' published verification guides.
 */
export const DEFAULT_CRAWLER_DOMAINS: readonly string[] = [
  'googlebot.com', 'google.com', 'googleusercontent.com', 'search.msn.com', 'applebot.apple.com',
  'yandex.ru', 'yandex.net', 'yandex.com', 'duckduckgo.com', 'crawl.baidu.com', 'crawl.baidu.jp',
  'petalsearch.com', 'crawl.amazonbot.amazon', 'search.seznam.cz',
];

/** Normalise a DNS name: lower case, no trailing dot. */
export function normaliseName(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

/** Whether `name` is `domain` or below it, for one of `domains` (normalised). */
export function inCrawlerDomains(name: string, domains: readonly string[]): boolean {
  const n = normaliseName(name);
  for (const d of domains) if (n === d || n.endsWith('.' + d)) return true;
  return false;
}
