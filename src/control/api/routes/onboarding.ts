/** Onboarding: the activation check (/zones/:id/activation_check) and the operator's sign-up review queue (/reviews). */
import type { Router } from '../router.ts';
import type { ActivationService } from '../../services/activation.ts';
import type { ReviewService } from '../../services/reviews.ts';
import { ApproveSchema, DenySchema } from '../../services/reviews.ts';
import { zoneView } from './zones.ts';

export function registerOnboardingRoutes(r: Router, activation: ActivationService, reviews: ReviewService): void {
  r.add({ method: 'PUT', path: '/client/v4/zones/:id/activation_check', auth: 'token', permission: 'zone:edit',
    summary: 'Check now whether the registry delegates the zone to our nameservers (pending → active; active → moved when it points elsewhere)',
    handler: async (q) => ({ kind: 'json', result: await activation.check(q.params['id']!) }) });
  r.add({ method: 'GET', path: '/client/v4/reviews', auth: 'token', summary: 'Sign-ups waiting for review (operator): declared traffic, under attack, capacity needed',
    handler: async () => { const l = await reviews.queue(); return { kind: 'json', result: l.map(zoneView), resultInfo: { count: l.length } }; } });
  r.add({ method: 'POST', path: '/client/v4/reviews/:id/approve', auth: 'token', summary: 'Approve a reviewed sign-up {note?}', body: ApproveSchema,
    handler: async (q) => ({ kind: 'json', result: zoneView(await reviews.approve(q.params['id']!, q.body, q.auth.subject)) }) });
  r.add({ method: 'POST', path: '/client/v4/reviews/:id/deny', auth: 'token', summary: 'Deny a reviewed sign-up {reason: capacity|verification_failed|abusive_signup, note?}; the zone is removed and the decision kept',
    body: DenySchema,
    handler: async (q) => ({ kind: 'json', result: await reviews.deny(q.params['id']!, q.body, q.auth.subject) }) });
}
