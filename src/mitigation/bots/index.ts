/** Verified bots (forward-confirmed reverse DNS) for `rampart.verified_bot` and the challenge skip. docs/bots-and-origin.md */
export { BotVerifier, createBotResolver, botResolverFromEnv, botDomainsFromEnv } from './verifier.ts';
export type { BotResolver, BotLookupResult, BotVerifierOptions } from './verifier.ts';
export { claimsCrawler, inCrawlerDomains, normaliseName, CRAWLER_UA_TOKENS, DEFAULT_CRAWLER_DOMAINS } from './crawler-ua.ts';

/** RequestContext note: `true` when the client is a verified crawler (read by the rules field and the challenge phase). */
export const VERIFIED_BOT_NOTE = 'verified_bot';
