/** API errors: a stable numeric code (Cloudflare-style), an HTTP status, and a message that says what and where. */
import type { z } from 'zod';
import { formatPath } from '../../config/load.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: number;
  readonly errors: Array<{ code: number; message: string; path?: string }>;
  constructor(status: number, code: number, message: string, extra?: Array<{ code: number; message: string; path?: string }>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.errors = extra ?? [{ code, message }];
  }
}

export const API_CODES = {
  badJson: 6003,
  validation: 1004,
  notFound: 7003,
  routeNotFound: 7000,
  methodNotAllowed: 10405,
  unauthenticated: 10000,
  forbidden: 9109,
  conflict: 1061,
  unavailable: 10500,
  internal: 10001,
} as const;

export function validationError(err: z.ZodError, where = 'body'): ApiError {
  const errors = err.issues.map((i) => {
    let path = i.path as PropertyKey[];
    let msg = i.message;
    if (i.code === 'unrecognized_keys') { path = [...path, i.keys[0] ?? '']; msg = `unknown field "${i.keys.join('", "')}"`; }
    const p = formatPath(path);
    return { code: API_CODES.validation, message: `${where}${p ? '.' + p : ''}: ${msg}`, path: p };
  });
  return new ApiError(400, API_CODES.validation, errors.map((e) => e.message).join('; '), errors);
}

export const notFound = (what: string): ApiError => new ApiError(404, API_CODES.notFound, `${what} not found`);
