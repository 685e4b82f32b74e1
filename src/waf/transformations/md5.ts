import { createHash } from 'node:crypto';
import { registerTransformation } from './registry.ts';
/** `t:md5` — raw (binary) MD5 digest. Example: `t:md5,t:hexEncode` */
registerTransformation({ name: 'md5', doc: 't:md5 — binary MD5 digest', fn: (s) => createHash('md5').update(s, 'latin1').digest().toString('latin1') });
