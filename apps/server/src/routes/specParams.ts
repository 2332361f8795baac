/** Shared by the spec route modules. */
import { z } from 'zod';

export const specTags = ['specs'];
export const SpecParams = z.object({ id: z.string().min(1) });
export const IdempotencyHeaders = z.looseObject({ 'idempotency-key': z.string().optional() });
