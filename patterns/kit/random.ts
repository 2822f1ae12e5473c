/**
 * A seeded source of randomness. Jitter and fault injection draw from it, so a
 * run with the same seed makes the same choices and a check gives the same
 * result every time.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
}

/** mulberry32: tiny, fast and good enough for simulation (not for secrets). */
export class SeededRandom implements Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** A stateless hash of integers to [0, 1): the same inputs always give the same draw. */
export const hashToUnit = (...parts: number[]): number => {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    // Mix the high bits of non-32-bit integers too.
    const high = Math.floor(part / 4294967296);
    if (high !== 0) h = Math.imul(h ^ high, 0x27d4eb2d);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 4294967296;
};
