/**
 * Response transforms, independent of the edge (plain header arrays and byte streams): compression, email
 * obfuscation, and the hotlink protection policy. docs/transforms.md describes them; the edge applies them in
 * src/edge/phases/transforms/.
 */
export {
  negotiateEncoding, isCompressibleType, decideCompression, compressHeaders, varyOnEncoding, createCompressor, flushCompressor,
  CODINGS, LEVELS, DEFAULT_MIN_BYTES,
} from './compress.ts';
export type { ContentCoding, NegotiatedCoding, CompressOptions, CompressRequest, CompressDecision } from './compress.ts';
export {
  EmailRewriter, createEmailObfuscator, encodeEmail, decodeEmail, parseAttributes, DECODER_PATH, PROTECTION_PATH, EMAIL_ATTR,
} from './email-obfuscate.ts';
export type { EmailObfuscatorOptions } from './email-obfuscate.ts';
export { DECODER_SCRIPT, PROTECTION_PAGE } from './email-decoder.ts';
export { cspAllowsDecoder, policyAllowsDecoder } from './csp.ts';
export type { CspVerdict } from './csp.ts';
export { compileHotlink, isImageRequest, refererHost } from './hotlink.ts';
export type { HotlinkConfig, HotlinkPolicy, HotlinkRequest } from './hotlink.ts';
export { getField, getFields, removeField, setField, addListToken, weakenEtag, mediaType, mediaParam, noTransform, listTokens } from './headers.ts';
