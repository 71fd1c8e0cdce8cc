import { describe, expect, it } from 'vitest';
import { ReplayCache } from '../../src/adfs/inbound/replay-cache.js';
import { Clock } from '../../src/shared/clock.js';

const WINDOW = 5 * 60_000; // AD FS SamlMessageDeliveryWindow

function frozenClock(): Clock {
  const clock = new Clock(() => 1_800_000_000_000);
  clock.freeze();
  return clock;
}

describe('ReplayCache', () => {
  it('flags a duplicate ID within the window', () => {
    const cache = new ReplayCache(frozenClock(), WINDOW);
    expect(cache.seen('_req1')).toBe(false);
    expect(cache.seen('_req2')).toBe(false);
    expect(cache.seen('_req1')).toBe(true);
    expect(cache.seen('_req1')).toBe(true);
  });

  it('forgets an ID once the window has passed (the clock moves, nothing sleeps)', () => {
    const clock = frozenClock();
    const cache = new ReplayCache(clock, WINDOW);
    expect(cache.seen('_req1')).toBe(false);
    clock.advance(WINDOW - 1);
    expect(cache.seen('_req1')).toBe(true);
    clock.advance(1);
    expect(cache.seen('_req1')).toBe(false); // recorded afresh...
    clock.advance(WINDOW - 1);
    expect(cache.seen('_req1')).toBe(true); // ...and protected for a new window
  });

  it('drops expired entries as time passes', () => {
    const clock = frozenClock();
    const cache = new ReplayCache(clock, WINDOW);
    for (let i = 0; i < 10; i++) cache.seen(`_old${i}`);
    clock.advance(WINDOW);
    cache.seen('_new');
    expect(cache.size).toBe(1);
  });

  it('still flags a replay if the lab clock is moved backwards', () => {
    const clock = frozenClock();
    const cache = new ReplayCache(clock, WINDOW);
    cache.seen('_req1');
    clock.advance(-60_000);
    expect(cache.seen('_req1')).toBe(true);
  });

  it('is bounded: beyond the cap the oldest IDs are evicted first', () => {
    const cache = new ReplayCache(frozenClock(), WINDOW, 3);
    for (const id of ['_a', '_b', '_c', '_d']) expect(cache.seen(id)).toBe(false);
    expect(cache.size).toBe(3);
    expect(cache.seen('_d')).toBe(true);
    expect(cache.seen('_b')).toBe(true);
    expect(cache.seen('_a')).toBe(false); // evicted, so no longer known
  });

  it('refuses a non-positive window', () => {
    expect(() => new ReplayCache(frozenClock(), 0)).toThrow(RangeError);
  });
});
