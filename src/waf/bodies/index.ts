/** Request/response body processors. */
export { parseUrlEncoded } from './urlencoded.ts';
export { parseJsonBody } from './json.ts';
export { parseXml } from './xml.ts';
export type { XmlData } from './xml.ts';
export { parseMultipart, boundaryOf } from './multipart.ts';
export type { MultipartPart, MultipartResult, MultipartFlags } from './multipart.ts';
