/** One hospital's share of the persons. */
export interface HospitalShare {
  /** Persons in this hospital. */
  readonly persons: number;
  /** Persons in the hospitals before it: its first person_id is `offset + 1`. */
  readonly offset: number;
}

/**
 * Splits `persons` between `hospitals` as evenly as possible (the first `persons % hospitals`
 * get one more), with the offset that keeps person_id unique and contiguous across hospitals.
 *
 * @example
 * ```ts
 * splitPersons(10, 3); // [{ persons: 4, offset: 0 }, { persons: 3, offset: 4 }, { persons: 3, offset: 7 }]
 * ```
 */
export function splitPersons(persons: number, hospitals: number): HospitalShare[] {
  const base = Math.floor(persons / hospitals);
  const extra = persons % hospitals;
  return Array.from({ length: hospitals }, (_, h) => ({
    persons: base + (h < extra ? 1 : 0),
    offset: h * base + Math.min(h, extra),
  }));
}
