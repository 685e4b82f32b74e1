import { createHash } from 'node:crypto';
import { registerTransformation } from './registry.ts';
/** `t:sha1` — raw (binary) SHA-1 digest. Example: `t:sha1,t:hexEncode` on `abc` → `a9993e36…` */
registerTransformation({ name: 'sha1', doc: 't:sha1 — binary SHA-1 digest', fn: (s) => createHash('sha1').update(s, 'latin1').digest().toString('latin1') });
