import { describe, expectTypeOf, it } from 'vitest';
import type { EventPayload, KnownEventType, NormalizedEvent, Phase, SpecEvent, SpecEventOf, StoredEvent, ErrorCode } from './index';
import { isEventOfType } from './index';

describe('public types', () => {
  it('Phase is the union of the six phases', () => {
    expectTypeOf<Phase>().toEqualTypeOf<'explore' | 'prd' | 'requirements' | 'design' | 'tasks' | 'sync'>();
  });

  it('catalogue payloads are typed', () => {
    expectTypeOf<EventPayload<'spec.phase_started'>>().toHaveProperty('attempt').toEqualTypeOf<number>();
    expectTypeOf<EventPayload<'agent.completed'>['success']>().toEqualTypeOf<boolean>();
    expectTypeOf<EventPayload<'spec.heartbeat'>['current_phase']>().toEqualTypeOf<Phase | null>();
    expectTypeOf<'spec.phase_completed'>().toExtend<KnownEventType>();
  });

  it('isEventOfType narrows a SpecEvent to its payload', () => {
    const event = {} as SpecEvent;
    if (isEventOfType(event, 'spec.phase_failed')) {
      expectTypeOf(event).toEqualTypeOf<SpecEventOf<'spec.phase_failed'>>();
      expectTypeOf(event.data.reason).toEqualTypeOf<'evaluation_failed' | 'execution_error' | 'cancelled' | 'timeout'>();
    }
  });

  it('stored events carry the server cursor', () => {
    expectTypeOf<StoredEvent['spec_seq']>().toEqualTypeOf<number>();
    expectTypeOf<NormalizedEvent['event_id']>().toEqualTypeOf<string | null>();
  });

  it('error codes are a closed union', () => {
    expectTypeOf<'not_found'>().toExtend<ErrorCode>();
    expectTypeOf<'teapot'>().not.toExtend<ErrorCode>();
  });
});
