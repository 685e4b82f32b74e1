/**
 * The operator's review queue for high-traffic sign-ups (and sign-ups under attack): the zone is set up at once
 * (proxied records answer, security level under_attack) and waits for a decision. Approving keeps it as it is;
 * denying removes it, and must name one of the fixed operational reasons (src/config/legal.ts DENIAL_REASONS).
 * Every decision records who, when and why (in the zone, the removal record and the audit log).
 */
import { z } from 'zod';
import { DenialReasonSchema } from '../../config/legal.ts';
import type { Zone } from '../../config/schema.ts';
import { ApiError, API_CODES, validationError } from '../api/errors.ts';
import type { ZoneService } from './zones.ts';

export const ApproveSchema = z.object({ note: z.string().max(1000).default('') }).strict();
export const DenySchema = z.object({ reason: DenialReasonSchema, note: z.string().max(1000).default('') }).strict();

export class ReviewService {
  readonly #zones: ZoneService;
  readonly #now: () => Date;
  constructor(zones: ZoneService, now: () => Date = () => new Date()) { this.#zones = zones; this.#now = now; }

  /** Zones waiting for a decision, oldest first. */
  async queue(): Promise<Zone[]> {
    return (await this.#zones.list()).filter((z) => z.review?.status === 'pending').sort((a, b) => (a.review!.requested_on < b.review!.requested_on ? -1 : 1));
  }

  async #pending(ref: string): Promise<Zone> {
    const z = await this.#zones.get(ref);
    if (z.review?.status !== 'pending') throw new ApiError(409, API_CODES.conflict, `zone "${z.name}" has no sign-up waiting for review`);
    return z;
  }

  async approve(ref: string, body: unknown, by: string): Promise<Zone> {
    const r = ApproveSchema.safeParse(body ?? {});
    if (!r.success) throw validationError(r.error);
    const z = await this.#pending(ref);
    const zone: Zone = { ...z, review: { ...z.review!, status: 'approved', decided_by: by, decided_on: this.#now().toISOString(), note: r.data.note } };
    await this.#zones.save(zone);
    return zone;
  }

  async deny(ref: string, body: unknown, by: string): Promise<{ id: string; zone: string; reason: string }> {
    const r = DenySchema.safeParse(body ?? {});
    if (!r.success) throw validationError(r.error);
    const z = await this.#pending(ref);
    await this.#zones.delete(z.id, { reason: 'signup_denied', denial: r.data.reason, note: r.data.note, by });
    return { id: z.id, zone: z.name, reason: r.data.reason };
  }
}
