import { describe, expect, it } from 'vitest';
import { type BrokerIdentity, mayPublish, maySubscribe } from '../../../src/broker/acl.js';

const farm: BrokerIdentity = { kind: 'farm-collar', farmId: 'a' };
const collar: BrokerIdentity = { kind: 'collar', farmId: 'a', collarId: 'C1' };
const observer: BrokerIdentity = { kind: 'observer', farms: ['a'] };
const anyone: BrokerIdentity = { kind: 'anonymous' };

describe('broker ACL', () => {
  it.each([
    [farm, 'farms/a/collars/C9/telemetry', true],
    [farm, 'farms/a/collars/C9/status', true],
    [farm, 'farms/b/collars/C9/telemetry', false],
    [farm, 'farms/a/alerts/x', false],
    [collar, 'farms/a/collars/C1/telemetry', true],
    [collar, 'farms/a/collars/C2/telemetry', false],
    [observer, 'farms/a/collars/C1/telemetry', false],
    [anyone, 'farms/z/collars/C1/telemetry', true],
    [anyone, 'something/else', false],
  ] as const)('publish by %o on %s: %s', (identity, topic, allowed) => {
    expect(mayPublish(identity, topic)).toBe(allowed);
  });

  it.each([
    [farm, 'farms/a/#', false],
    [collar, 'farms/a/alerts/#', false],
    [observer, 'farms/a/alerts/#', true],
    [observer, 'farms/a/cows/+/state', true],
    [observer, 'farms/b/alerts/#', false],
    [observer, 'farms/+/alerts/#', false],
    [observer, 'farms/a/collars/+/telemetry', false],
    [{ kind: 'observer', farms: '*' } as const, 'farms/+/alerts/#', true],
  ] as const)('subscribe by %o to %s: %s', (identity, filter, allowed) => {
    expect(maySubscribe(identity, filter)).toBe(allowed);
  });
});
