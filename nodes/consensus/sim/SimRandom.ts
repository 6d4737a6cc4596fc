import { CustosError } from "../../../src/errors/index.ts";

/** splitmix32: spreads a 32-bit seed over the generator's 128 bits of state. */
function splitmix32(state: { value: number }): number {
  state.value = (state.value + 0x9e3779b9) | 0;
  let z = state.value;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * The simulator's seeded pseudo-random generator: sfc32 (Chris Doty-Humphrey's Small Fast
 * Chaotic generator, 128 bits of state, passes PractRand to 2^40 bytes), seeded through
 * splitmix32. Everything random in a run comes from it, so a seed replays exactly; `fork`
 * gives an independent stream, so that, say, the network's draws do not shift when the fault
 * plan draws one number more.
 *
 * @example
 * ```ts
 * const random = new SimRandom(42);
 * random.int(1, 6); // a die roll, the same for every run of seed 42
 * const network = random.fork();
 * ```
 */
export class SimRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * @throws CustosError `INVALID_ARGUMENT` when `seed` is not an integer from 0 to 2^32 − 1.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new CustosError("INVALID_ARGUMENT", "a seed must be an integer from 0 to 2^32 - 1", {
        details: { field: "seed", value: seed },
      });
    }
    const state = { value: seed | 0 };
    this.a = splitmix32(state);
    this.b = splitmix32(state);
    this.c = splitmix32(state);
    this.d = splitmix32(state);
    for (let i = 0; i < 12; i++) this.next();
  }

  /** The next 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 4_294_967_296;
  }

  /** An integer in [min, max] (both included). */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** The list in a random order (a new array). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  /** An independent stream, seeded from this one. */
  fork(): SimRandom {
    return new SimRandom(this.next());
  }
}
