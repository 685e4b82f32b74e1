/** `t:none` — clears the transformation chain inherited so far (handled by the compiler); identity here. Example: `t:none,t:lowercase` */
import { registerTransformation } from './registry.ts';
registerTransformation({ name: 'none', doc: 't:none — reset the chain', fn: (s) => s });
