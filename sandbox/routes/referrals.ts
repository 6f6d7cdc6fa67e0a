import type Router from '@koa/router';
import { CaraloomError, isCaraloomError } from '../../core/errors.js';
import type { SandboxDeps, SandboxState } from '../deps.js';
import type { ReferralStatus } from '../domain.js';
import { sendData } from '../http/envelope.js';
import { referralJson } from '../views/native.js';
import { nativeFieldNames, parseReferralBody } from './referral-body.js';
import { parameterError, readInteger, readQuery, type ParameterIssue } from './query.js';

const statuses: readonly ReferralStatus[] = ['pending', 'matched', 'cancelled'];

/**
 * `POST /discharge-referrals` (201; an `Idempotency-Key` replay answers 200
 * with `Idempotent-Replayed: true`; the same key with another body 409),
 * `GET /discharge-referrals/:id` and `GET /discharge-referrals` (the caller's own).
 */
export function addReferralRoutes(router: Router<SandboxState>, deps: SandboxDeps): void {
  router.post('/discharge-referrals', deps.protect, async (ctx) => {
    const input = parseReferralBody(await deps.readJson(ctx));
    const idempotencyKey = ctx.get('idempotency-key') || undefined;
    try {
      const { referral, replayed } = await deps.referrals.create(input, { keyId: ctx.state.apiKey!.id, idempotencyKey, source: 'native' });
      if (replayed) ctx.set('Idempotent-Replayed', 'true');
      ctx.set('Location', `/v1/discharge-referrals/${referral.id}`);
      sendData(ctx, deps.clock, replayed ? 200 : 201, referralJson(referral));
    } catch (error) {
      throw isCaraloomError(error) ? nativeFieldNames(error) : error;
    }
  });

  router.get('/discharge-referrals/:id', deps.protect, (ctx) => {
    const referral = deps.referrals.get(ctx.params.id ?? '', ctx.state.apiKey!.id);
    if (referral === undefined) throw new CaraloomError('REFERRAL_NOT_FOUND', 'no such referral for this key', { status: 404 });
    sendData(ctx, deps.clock, 200, referralJson(referral));
  });

  router.get('/discharge-referrals', deps.protect, (ctx) => {
    const issues: ParameterIssue[] = [];
    const raw = readQuery(ctx.query, ['status', 'external_id', 'patient', 'limit', 'offset'], issues);
    const limit = readInteger(raw.limit, 'limit', 1, 100, 20, issues);
    const offset = readInteger(raw.offset, 'offset', 0, 1_000_000, 0, issues);
    if (raw.status !== undefined && !statuses.includes(raw.status as ReferralStatus)) issues.push({ parameter: 'status', message: `must be one of: ${statuses.join(', ')}` });
    if (issues.length > 0) throw parameterError(issues);
    const { total, items } = deps.referrals.list({
      keyId: ctx.state.apiKey!.id,
      status: raw.status === undefined ? undefined : [raw.status as ReferralStatus],
      externalId: raw.external_id,
      patientId: raw.patient,
      offset,
      count: limit,
    });
    ctx.set('X-Total-Count', String(total));
    sendData(ctx, deps.clock, 200, items.map(referralJson));
  });
}
