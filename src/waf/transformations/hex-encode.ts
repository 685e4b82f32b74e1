import { registerTransformation } from './registry.ts';
/** `t:hexEncode` — bytes → lowercase hex. Example: `ABC` → `414243` */
registerTransformation({ name: 'hexEncode', doc: 't:hexEncode — `ABC` → `414243`', fn: (s) => Buffer.from(s, 'latin1').toString('hex') });
