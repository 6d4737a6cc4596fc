import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

/**
 * The project id the synthetic hospitals' pseudonyms are derived for
 * (`deriveProjectKey(master, { projectId: OMOP_SYNTHETIC_PROJECT_ID })`).
 */
export const OMOP_SYNTHETIC_PROJECT_ID = "custos-synthetic";

/**
 * The pseudonym master key of one synthetic hospital, as 0x-prefixed hex: SHA-256 of the seed
 * and the hospital index. Derived, not random, so the same seed gives the same pseudonyms; it
 * is only ever for synthetic data, and says so in the key file written beside it.
 *
 * @example
 * ```ts
 * createMasterKey(syntheticMasterKey(1, 0)); // hospital 0 of seed 1
 * ```
 */
export function syntheticMasterKey(seed: number, hospital: number): `0x${string}` {
  return `0x${bytesToHex(sha256(utf8ToBytes(`custos/omop-synthetic/master-key/v1/${seed}/${hospital}`)))}`;
}

/**
 * The terms every synthetic consent grants (its consent document says the same): general
 * research use of demographics, visits and observation periods, conditions, drugs and
 * measurements. Loading consents.csv on chain uses these terms.
 */
export const OMOP_SYNTHETIC_CONSENT_TERMS = Object.freeze({
  purposes: Object.freeze(["GRU"] as const),
  categories: Object.freeze([
    "DEMOGRAPHICS",
    "VISITS",
    "CONDITIONS",
    "DRUGS",
    "MEASUREMENTS",
  ] as const),
});
