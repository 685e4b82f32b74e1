import { registerTransformation } from './registry.ts';
/** `t:base64DecodeExt` — forgiving base64: skips invalid characters. Example: `PHN.jcmlwdD4` → `<script>` */
registerTransformation({ name: 'base64DecodeExt', doc: 't:base64DecodeExt — `PHN.jcmlwdD4` → `<script>`', fn: (s) => Buffer.from(s.replace(/[^A-Za-z0-9+/]/g, ''), 'base64').toString('latin1') });
