import { describe, expect, it } from 'vitest';
import { classifyGraphError } from '../../../src/channels/whatsapp/errors.js';

describe('Graph error codes', () => {
  it.each([4, 80007, 130429, 131056, 2, 131000, 131016, 131057, 133004, 131047])(
    '%i can succeed later',
    (code) => {
      expect(classifyGraphError(code).retryable).toBe(true);
    },
  );

  it.each([
    0, 190, 3, 10, 250, 100, 131005, 131008, 131009, 131021, 131026, 131042, 131048, 131049, 131051, 132000,
    132001, 132015, 132016, 368, 131031, 133010, 1,
  ])('%i will not succeed by retrying', (code) => {
    expect(classifyGraphError(code).retryable).toBe(false);
  });

  it('tells channel-wide problems from single-message ones', () => {
    expect(classifyGraphError(190).scope).toBe('channel');
    expect(classifyGraphError(131026).scope).toBe('recipient');
    expect(classifyGraphError(132000).scope).toBe('message');
  });

  it('resends 131047 as a template and 131056 only to that recipient', () => {
    expect(classifyGraphError(131047).asTemplate).toBe(true);
    expect(classifyGraphError(131056).scope).toBe('recipient');
  });

  it('follows is_transient for codes it does not know', () => {
    expect(classifyGraphError(999_999, true).retryable).toBe(true);
    expect(classifyGraphError(999_999).retryable).toBe(false);
  });
});
