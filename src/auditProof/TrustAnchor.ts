/** The three Custos contracts of a chain, lowercase hex. */
export interface ChainContracts {
  readonly consortium: string;
  readonly consentRegistry: string;
  readonly accessLedger: string;
}

/**
 * What a verifier trusts without proof: the chain, its Consortium (whose
 * `ValidatorSetScheduled` events change the validator set) and the validator set in force
 * from block `fromBlock` on — the genesis set from block 0, or a trusted checkpoint's set
 * from its block. Everything else a proof must show.
 *
 * @example
 * ```ts
 * const anchor: TrustAnchor = {
 *   chainId: 4242,
 *   consortium: "0x…",
 *   validators: ["0x…", "0x…"],
 *   fromBlock: 0,
 * };
 * ```
 */
export interface TrustAnchor {
  readonly chainId: number;
  /** The Consortium contract's address, lowercase hex. */
  readonly consortium: string;
  /** The validator set in force at `fromBlock`, lowercase hex, ascending, each once. */
  readonly validators: readonly string[];
  /** The first block the anchor vouches for: 0 for genesis, or the checkpoint's block. */
  readonly fromBlock: number;
  /** All three contract addresses, when the anchor was made from a genesis. */
  readonly contracts?: ChainContracts;
}

/**
 * A validator set the verifier trusts at a block it chose (e.g. from a header it holds),
 * which narrows the window in which a replaced set could sign a fork: blocks before it
 * cannot be proven, and the changes before it need no proof.
 */
export interface TrustedCheckpoint {
  readonly block: number;
  /** The set in force at `block` and up to the first change a proof shows after it. */
  readonly validators: readonly string[];
}
