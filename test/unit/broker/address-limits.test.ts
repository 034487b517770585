import { describe, expect, it } from 'vitest';
import { createAddressLimits } from '../../../src/broker/address-limits.js';

const SETTINGS = {
  maxConnectionsPerAddress: 2,
  loginFailuresPerAddress: 3,
  loginFailureWindowMs: 60_000,
  loginBlockMs: 10_000,
  maxLoginBlockMs: 40_000,
};

describe('address limits', () => {
  it('holds each address to its connection limit, independently of other addresses', () => {
    const limits = createAddressLimits(
      () => SETTINGS,
      () => 0,
    );
    expect(limits.openConnection('10.0.0.1')).toBe(true);
    expect(limits.openConnection('10.0.0.1')).toBe(true);
    expect(limits.openConnection('10.0.0.1')).toBe(false);
    expect(limits.openConnection('10.0.0.2')).toBe(true);
    limits.closeConnection('10.0.0.1');
    expect(limits.openConnection('10.0.0.1')).toBe(true);
  });

  it('blocks logins after repeated failures, doubling the block while failures go on', () => {
    let t = 0;
    const limits = createAddressLimits(
      () => SETTINGS,
      () => t,
    );
    expect(limits.loginFailed('10.0.0.1')).toBe(0);
    expect(limits.loginFailed('10.0.0.1')).toBe(0);
    expect(limits.loginFailed('10.0.0.1')).toBe(10_000);
    expect(limits.loginBlockedForMs('10.0.0.1')).toBe(10_000);
    expect(limits.loginBlockedForMs('10.0.0.2')).toBe(0);
    t = 10_001;
    expect(limits.loginBlockedForMs('10.0.0.1')).toBe(0);
    for (let i = 0; i < 2; i++) limits.loginFailed('10.0.0.1');
    expect(limits.loginFailed('10.0.0.1')).toBe(20_000);
    t = 40_000;
    for (let i = 0; i < 2; i++) limits.loginFailed('10.0.0.1');
    expect(limits.loginFailed('10.0.0.1')).toBe(40_000);
    t = 90_000;
    for (let i = 0; i < 2; i++) limits.loginFailed('10.0.0.1');
    expect(limits.loginFailed('10.0.0.1')).toBe(40_000); // capped
  });

  it('starts again from the first block after a quiet spell, and forgets idle addresses', () => {
    let t = 0;
    const limits = createAddressLimits(
      () => SETTINGS,
      () => t,
    );
    for (let i = 0; i < 3; i++) limits.loginFailed('10.0.0.1');
    t = 10_000 + 30_000;
    for (let i = 0; i < 2; i++) limits.loginFailed('10.0.0.1');
    expect(limits.loginFailed('10.0.0.1')).toBe(10_000);
    t = 1_000_000;
    limits.forgetIdle();
    expect(limits.size()).toBe(0);
  });
});
