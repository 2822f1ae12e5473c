import { describe, expect, it } from 'vitest';
import { joinPass, joinPrevious, MAX_LINKS, newLink } from './link.ts';

describe('flow links', () => {
  it('joins a pass to the previous node, whichever came first', () => {
    const link = newLink();
    expect(joinPrevious(link, 'req-1', 'POST /users')).toEqual([]);
    expect(joinPass(link, 'req-1', { node: 'register', t: 2, ok: true })).toBe('POST /users');

    // The other way round: the pass waits, once per node, and is handed over when its previous node comes.
    expect(joinPass(link, 'req-2', { node: 'findByEmail', t: 3, ok: true })).toBeUndefined();
    expect(joinPass(link, 'req-2', { node: 'findByEmail', t: 4, ok: false })).toBeUndefined();
    expect(joinPrevious(link, 'req-2', 'register')).toEqual([{ node: 'findByEmail', t: 4, ok: false }]);
    expect(joinPrevious(link, 'req-2', 'register')).toEqual([]);
  });

  it('forgets the oldest link values past MAX_LINKS, on both sides', () => {
    const link = newLink();
    for (let i = 0; i <= MAX_LINKS; i++) {
      joinPrevious(link, `e${i}`, 'user.created');
      joinPass(link, `r${i}`, { node: 'register', t: i, ok: true });
    }
    expect(link.previous.size).toBe(MAX_LINKS);
    expect(link.waiting.size).toBe(MAX_LINKS);
    expect(joinPass(link, 'e0', { node: 'send-welcome-email', t: 0, ok: true })).toBeUndefined();
    expect(joinPrevious(link, 'r0', 'POST /users')).toEqual([]);
    expect(joinPrevious(link, `r${MAX_LINKS}`, 'POST /users')).toHaveLength(1);
  });
});
