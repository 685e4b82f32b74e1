import { registerTransformation } from './registry.ts';
/** `t:sqlHexDecode` — SQL hex literals `0xHHHH` → bytes. Example: `0x414243` → `ABC` */
registerTransformation({ name: 'sqlHexDecode', doc: 't:sqlHexDecode — `0x414243` → `ABC`', fn: (s) => s.replace(/0x((?:[0-9a-fA-F]{2})+)/g, (_m, h: string) => Buffer.from(h, 'hex').toString('latin1')) });
