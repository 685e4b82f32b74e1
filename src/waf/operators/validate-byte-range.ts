import { registerOperator } from './registry.ts';
/** `@validateByteRange 9,10,32-126` — matches when a byte is OUTSIDE the allowed ranges. Example: `"@validateByteRange 32-126"` */
registerOperator({
  name: 'validateByteRange',
  doc: '@validateByteRange RANGES — any byte outside; example: "@validateByteRange 1-255"',
  compile(param) {
    const ok = new Uint8Array(256);
    for (const part of param.split(',')) {
      const [a, b] = part.trim().split('-');
      const lo = parseInt(a ?? '', 10);
      const hi = b === undefined ? lo : parseInt(b, 10);
      if (Number.isNaN(lo) || Number.isNaN(hi)) continue;
      for (let x = Math.max(0, lo); x <= Math.min(255, hi); x++) ok[x] = 1;
    }
    return (_tx, input) => {
      for (let i = 0; i < input.length; i++) if (ok[input.charCodeAt(i) & 0xff] !== 1) return true;
      return false;
    };
  },
});
