/**
 * The randomness port of the disclosure core: uniform 32-bit words. Production wires a
 * CSPRNG (`createCryptoRandomSource`); tests wire a seeded generator. The core never reads
 * ambient randomness, so every release is reproducible from its source.
 */
export interface RandomSource {
  /** A uniform integer in [0, 2^32). */
  nextUint32(): number;
}
