/**
 * Storage port of the differencing guard: the cohorts already released to each requester.
 * Backends index cohorts by size, since two cohorts whose sizes differ by d have a
 * symmetric difference ≥ d and only near-equal sizes need comparing.
 */
export interface DifferencingStore {
  /** Earlier cohorts of `requester` whose size s satisfies |s − size| < radius. */
  nearby(requester: string, size: number, radius: number): Promise<readonly Uint32Array[]>;
  /** Remembers a released cohort (sorted, strictly increasing); a repeat is kept once. */
  record(requester: string, cohort: Uint32Array): Promise<void>;
}
