import { registerOperator } from './registry.ts';
import { isHex } from '../transformations/hex.ts';
/** `@validateUrlEncoding` — matches when a `%` escape is truncated or not hex. Example: `SecRule ARGS "@validateUrlEncoding"` */
registerOperator({
  name: 'validateUrlEncoding',
  doc: '@validateUrlEncoding — invalid %-encoding; example: "@validateUrlEncoding"',
  compile() {
    return (_tx, input) => {
      for (let i = input.indexOf('%'); i >= 0; i = input.indexOf('%', i + 1)) {
        if (!isHex(input[i + 1]) || !isHex(input[i + 2])) return true;
        i += 2;
      }
      return false;
    };
  },
});
