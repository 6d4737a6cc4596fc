/**
 * The schema name and version every proof document carries; a verifier refuses any other.
 *
 * @example
 * ```ts
 * if (document.schema !== PROOF_SCHEMA) throw new Error("not a Custos proof");
 * ```
 */
export const PROOF_SCHEMA = "custos.proof/1";

/**
 * One event a proof claims, as `eth_getLogs` shows it; the verifier checks every field
 * against the proven receipt and transaction. Hex strings throughout (`0x`, lowercase when
 * written by the builder).
 */
export interface ProofLog {
  /** Position of the log among all logs of its block (JSON-RPC's `logIndex`), a quantity. */
  readonly logIndex: string;
  /** Position of its transaction in the block, a quantity. */
  readonly transactionIndex: string;
  /** keccak-256 of the transaction's bytes, proven by the transactions trie. */
  readonly transactionHash: string;
  /** The emitting contract, 20 bytes. */
  readonly address: string;
  /** Zero to four 32-byte topics. */
  readonly topics: readonly string[];
  readonly data: string;
}

/**
 * One block of a proof: its sealed header and the trie nodes that prove the claimed logs
 * against the header's receipts and transactions roots.
 */
export interface ProofBlock {
  /** The block number the header must have, a quantity. */
  readonly number: string;
  /** The on-chain block hash the header must have (Besu's QBFT hash: round 0, no seals). */
  readonly hash: string;
  /** The header's RLP as the node stores it, commit seals included (`debug_getRawHeader`). */
  readonly header: string;
  /**
   * Receipts-trie nodes (RLP, each once) on the paths to keys rlp(0) … rlp(t), t the highest
   * transaction index of the claimed logs: the earlier receipts fix the block-wide log index.
   * Nodes embedded in their parent are not listed; every listed node must be used.
   */
  readonly receiptNodes: readonly string[];
  /** Transactions-trie nodes on the paths to the claimed logs' transactions (same rules). */
  readonly transactionNodes: readonly string[];
  /** The claimed logs, ascending by log index (none: the item proves the header alone). */
  readonly logs: readonly ProofLog[];
}

/**
 * A self-contained proof of chain events (schema {@link PROOF_SCHEMA}), JSON only. The
 * validator-set changes (each the block of a Consortium `ValidatorSetScheduled` event, from
 * the trust anchor on, ascending) let a verifier know which set sealed each block; `blocks`
 * holds the events proven, ascending by block number.
 *
 * @example
 * ```ts
 * const proof: ProofDocument = JSON.parse(await readFile("proof.json", "utf8"));
 * const logs = verifyChainProof(proof, anchor);
 * ```
 */
export interface ProofDocument {
  readonly schema: typeof PROOF_SCHEMA;
  /** The chain id (a quantity), which must be the trust anchor's. */
  readonly chainId: string;
  /** The Consortium contract whose events change the validator set. */
  readonly consortium: string;
  readonly validatorChanges: readonly ProofBlock[];
  readonly blocks: readonly ProofBlock[];
}

/**
 * A link of the chain of evidence, in the order a verifier trusts them, from the anchor
 * outward: the document's shape, the trust anchor, the validator set expected at the block,
 * the commit seals of a quorum of it, the header's own fields, the receipts and
 * transactions tries under the header, the receipt's encoding, the claimed log. A failure
 * names the first link that does not hold.
 */
export type ProofLink =
  | "format"
  | "anchor"
  | "validatorSet"
  | "seals"
  | "header"
  | "receiptsRoot"
  | "transactionsRoot"
  | "receipt"
  | "log";

/**
 * The links in trust order (see {@link ProofLink}).
 *
 * @example
 * ```ts
 * proofLinks.indexOf("seals") < proofLinks.indexOf("header"); // true
 * ```
 */
export const proofLinks: readonly ProofLink[] = [
  "format",
  "anchor",
  "validatorSet",
  "seals",
  "header",
  "receiptsRoot",
  "transactionsRoot",
  "receipt",
  "log",
];
