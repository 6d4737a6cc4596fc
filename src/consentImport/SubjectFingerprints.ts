/** Slots of a new table (a power of two); the table doubles at three quarters full. */
const INITIAL_SLOTS = 1 << 12;

/** murmur3's 32-bit finaliser: every input bit reaches every output bit. */
function avalanche(value: number): number {
  let h = value;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The subjects of an import seen so far, as 64-bit fingerprints in an open-addressing table
 * of two `Uint32Array` words per slot: 10 M subjects take 128 MiB where a `Set` of their
 * strings would take more than 1 GiB. Two different subjects share a fingerprint with odds
 * of about n² / 2⁶⁵ (3 in a million for 10 M subjects); the later one would then be reported
 * as a duplicate, in the failure report like any other.
 *
 * @example
 * ```ts
 * const seen = new SubjectFingerprints();
 * seen.add(subject); // true
 * seen.add(subject); // false: already there
 * ```
 */
export class SubjectFingerprints {
  #slots = new Uint32Array(2 * INITIAL_SLOTS);
  #size = 0;

  /**
   * Adds a subject (`0x` and 64 lower-case hex digits); false when it (or one with the same
   * fingerprint) is already there.
   */
  add(subject: string): boolean {
    let high = 0x9747b28c;
    let low = 0x2545f491;
    for (let at = 2; at < 66; at += 8) {
      const word = Number.parseInt(subject.slice(at, at + 8), 16);
      high = Math.imul(high ^ word, 0xcc9e2d51);
      high = Math.imul((high << 15) | (high >>> 17), 0x1b873593) ^ low;
      low = Math.imul(low ^ word, 0x85ebca6b);
      low = (Math.imul((low << 13) | (low >>> 19), 0xc2b2ae35) + high) | 0;
    }
    high = avalanche(high);
    low = avalanche(low ^ high);
    // (0, 0) marks an empty slot.
    if (high === 0 && low === 0) low = 1;
    if (this.#size + 1 > (this.#slots.length / 2) * 0.75) this.#grow();
    return this.#insert(this.#slots, high, low);
  }

  #insert(slots: Uint32Array, high: number, low: number): boolean {
    const mask = slots.length / 2 - 1;
    for (let slot = (low ^ high) & mask; ; slot = (slot + 1) & mask) {
      const h = slots[2 * slot] as number;
      const l = slots[2 * slot + 1] as number;
      if (h === 0 && l === 0) {
        slots[2 * slot] = high;
        slots[2 * slot + 1] = low;
        this.#size++;
        return true;
      }
      if (h === high && l === low) return false;
    }
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Uint32Array(old.length * 2);
    this.#size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const high = old[i] as number;
      const low = old[i + 1] as number;
      if (high !== 0 || low !== 0) this.#insert(this.#slots, high, low);
    }
  }
}
