import { registerTransformation } from './registry.ts';
/** `t:urlEncode` — percent-encodes bytes outside `[A-Za-z0-9*-._]`, space → `+`. Example: `a b<` → `a+b%3c` */
registerTransformation({ name: 'urlEncode', doc: 't:urlEncode — `a b<` → `a+b%3c`', fn: (s) => s.replace(/[^A-Za-z0-9*\-._ ]/g, (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).replaceAll(' ', '+') });
