import { registerTransformation } from './registry.ts';
/** `t:hexDecode` — hex pairs → bytes. Example: `414243` → `ABC` */
registerTransformation({ name: 'hexDecode', doc: 't:hexDecode — `414243` → `ABC`', fn: (s) => Buffer.from(s, 'hex').toString('latin1') });
