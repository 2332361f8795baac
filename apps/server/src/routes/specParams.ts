/** Shared by the spec route modules. */
import { z } from 'zod';
import { IdParam } from '../http/input';

export const specTags = ['specs'];
export const SpecParams = z.object({ id: IdParam });
export const IdempotencyHeaders = z.looseObject({ 'idempotency-key': z.string().optional() });
