import { dataCategories, purposeCodes } from "../../../src/consent/index.ts";
import {
  type CohortExecutor,
  type CohortRequest,
  type ConsentChange,
  type ConsentIndex,
  createConsentIndex,
  denyReasons,
} from "../../../src/consentIndex/index.ts";

/** Shared fixtures of the cohort filter tests: seeded keys built to stress the ordering. */

export const P = purposeCodes;
export const C = dataCategories;
export const T0 = 1_800_000_000;
export const SEED = 20261124;

/** Seeded xorshift32, so the fixtures below are the same bytes in every run. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

export function randomKey(next: () => number): Uint8Array {
  const key = new Uint8Array(32);
  const words = new Uint32Array(key.buffer);
  for (let w = 0; w < 8; w++) words[w] = next();
  return key;
}

/**
 * Keys built to stress the ordering: plain random keys, groups sharing their leading 4 bytes
 * (ties on the sort key), and groups sharing their leading 8 bytes.
 */
export function tieHeavyKeys(count: number, seed: number): Uint8Array[] {
  const next = rng(seed);
  const keys: Uint8Array[] = [];
  while (keys.length < count) {
    const base = randomKey(next);
    const kind = next() % 4;
    keys.push(base);
    if (kind === 0) continue;
    const group = 1 + (next() % 4);
    for (let g = 0; g < group && keys.length < count; g++) {
      const sibling = randomKey(next);
      sibling.set(base.subarray(0, kind === 3 ? 8 : 4));
      keys.push(sibling);
    }
  }
  return keys;
}

export const hex = (key: Uint8Array) => `0x${Buffer.from(key).toString("hex")}`;

export function stateChange(subject: Uint8Array, i: number, version: number): ConsentChange {
  const kind = i % 10;
  return {
    subject,
    version,
    status: kind === 1 ? "revoked" : "active",
    purposes: kind === 2 ? P.CC.bit : P.HMB.bit | P.NCU.bit,
    categories: kind === 3 ? C.CONDITIONS.bit : C.DRUGS.bit | C.CONDITIONS.bit,
    validFrom: kind === 4 ? T0 + 100 : T0 - 1000,
    validUntil: kind === 5 ? T0 - 10 : 0,
    custodian: 1 + (i % 5),
    blockNumber: 1,
    logIndex: i,
  };
}

export function fixtureIndex(
  known: Uint8Array[],
  expectedSubjects: number,
  cohortExecutor?: CohortExecutor,
): ConsentIndex {
  const index = createConsentIndex({
    now: () => T0,
    expectedSubjects,
    maxStalenessSeconds: 30,
    ...(cohortExecutor === undefined ? {} : { cohortExecutor }),
  });
  known.forEach((key, i) => {
    index.apply(stateChange(key, i, 1));
  });
  index.markSynced(7, T0);
  return index;
}

/**
 * A cohort over `known`: duplicates, unknown keys sharing 4 or 8 leading bytes with known
 * ones (so a prefix match alone would be wrong), fully random unknowns, in shuffled order.
 */
export function fixtureCohort(known: Uint8Array[], size: number, seed: number): Uint8Array {
  const next = rng(seed);
  const cohort = new Uint8Array(size * 32);
  for (let i = 0; i < size; i++) {
    const pick = known[next() % known.length] as Uint8Array;
    const kind = next() % 10;
    let key = pick;
    if (kind === 0) key = randomKey(next);
    else if (kind === 1 || kind === 2) {
      key = randomKey(next);
      key.set(pick.subarray(0, kind === 1 ? 4 : 8));
    }
    cohort.set(key, i * 32);
  }
  return cohort;
}

export const requests = [
  { use: P.HMB.bit | P.NCU.bit, categories: C.DRUGS.bit },
  { use: P.DS.bit | P.NCU.bit, categories: C.CONDITIONS.bit },
  { use: P.CC.bit, categories: C.DRUGS.bit, at: T0 + 200 },
] as const;

/**
 * What `filterCohort(cohort, request)` must answer, worked out with one `checkAccess` per
 * subject: the allowed positions and the count of denials by reason (every reason present).
 */
export function expectedCohortDecisions(
  index: ConsentIndex,
  cohort: readonly string[],
  request: CohortRequest,
): { allowed: number[]; denied: Record<string, number> } {
  const allowed: number[] = [];
  const denied: Record<string, number> = Object.fromEntries(denyReasons.map((r) => [r, 0]));
  cohort.forEach((subject, i) => {
    const decision = index.checkAccess({ subject, ...request });
    if (decision.allowed) allowed.push(i);
    else denied[decision.reason] = (denied[decision.reason] as number) + 1;
  });
  return { allowed, denied };
}
