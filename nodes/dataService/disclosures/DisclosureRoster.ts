import { createHash } from "node:crypto";

const SUBJECT_BYTES = 32;

/**
 * A person map's pseudonyms sorted and distinct: the order the consent snapshot's Merkle tree
 * uses, so a query's allowed set is a set of roster positions whose pseudonyms, read in
 * position order, are exactly the tree's sorted members.
 */
export interface DisclosureRoster {
  /** Hex SHA-256 of `sorted`: names the roster's directory, changes when the persons do. */
  readonly id: string;
  /** Distinct pseudonyms, 32 bytes each, ascending byte order. */
  readonly sorted: Uint8Array;
  /** Number of distinct pseudonyms. */
  readonly size: number;
  /** Person index (person map order) → roster position; null for a roster read from disk. */
  readonly positionOfPerson: Uint32Array | null;
}

/** The roster id of sorted pseudonym bytes. */
export function rosterIdOf(sorted: Uint8Array): string {
  return createHash("sha256").update(sorted).digest("hex");
}

/**
 * Sorts a person map's pseudonyms (`subjects`: 32 bytes per person, person order) into a
 * roster and keeps each person's position in it. Pseudonyms are uniform, so the first four
 * bytes almost always decide; full comparison breaks the rare tie and merges duplicates
 * (two persons with one identifier share a position).
 *
 * @example
 * ```ts
 * const roster = buildDisclosureRoster(persons.subjects, persons.count);
 * ```
 */
export function buildDisclosureRoster(subjects: Uint8Array, count: number): DisclosureRoster {
  const view = new DataView(subjects.buffer, subjects.byteOffset, subjects.byteLength);
  const head = new Uint32Array(count);
  for (let i = 0; i < count; i++) head[i] = view.getUint32(i * SUBJECT_BYTES);
  const key = (i: number) => subjects.subarray(i * SUBJECT_BYTES, (i + 1) * SUBJECT_BYTES);
  const order = Uint32Array.from({ length: count }, (_, i) => i).sort(
    (a, b) => (head[a] as number) - (head[b] as number) || Buffer.compare(key(a), key(b)) || a - b,
  );
  const sorted = new Uint8Array(count * SUBJECT_BYTES);
  const positionOfPerson = new Uint32Array(count);
  let size = 0;
  for (const person of order) {
    const bytes = key(person);
    if (
      size === 0 ||
      Buffer.compare(sorted.subarray((size - 1) * SUBJECT_BYTES, size * SUBJECT_BYTES), bytes) !== 0
    ) {
      sorted.set(bytes, size * SUBJECT_BYTES);
      size++;
    }
    positionOfPerson[person] = size - 1;
  }
  const distinct = sorted.slice(0, size * SUBJECT_BYTES);
  return { id: rosterIdOf(distinct), sorted: distinct, size, positionOfPerson };
}

/**
 * The roster position of a 32-byte pseudonym, or -1 when the roster does not hold it.
 *
 * @example
 * ```ts
 * const position = rosterPositionOf(roster.sorted, subjectBytes);
 * ```
 */
export function rosterPositionOf(sorted: Uint8Array, subject: Uint8Array): number {
  let lo = 0;
  let hi = sorted.length / SUBJECT_BYTES;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const order = Buffer.compare(
      sorted.subarray(mid * SUBJECT_BYTES, (mid + 1) * SUBJECT_BYTES),
      subject,
    );
    if (order === 0) return mid;
    if (order < 0) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}
