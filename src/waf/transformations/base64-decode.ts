import { registerTransformation } from './registry.ts';
/** `t:base64Decode` — decodes base64 (stops at the first invalid character). Example: `PHNjcmlwdD4=` → `<script>` */
export function base64Decode(s: string): string {
  const m = /^[A-Za-z0-9+/]*={0,2}/.exec(s);
  return Buffer.from(m ? m[0] : '', 'base64').toString('latin1');
}
registerTransformation({ name: 'base64Decode', doc: 't:base64Decode — `PHNjcmlwdD4=` → `<script>`', fn: base64Decode });
