/** The part of the chain that serves blocks to peers. */
export interface BlockStore {
  /** Number of the head block. */
  headNumber(): bigint;
  /** RLP of the canonical sealed block `number`, or undefined above the head. */
  blockRlp(number: bigint): Promise<Uint8Array | undefined>;
}

/**
 * The answer to a peer's block request: up to `count` consecutive canonical blocks from
 * `fromNumber`, stopping at the head (fewer, or none, for a peer ahead of or level with
 * this node). The network layer caps `count` and the answer's bytes.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` from the store for a hole below the head (never
 *   served as a short answer: the node itself is then not ready).
 * @example
 * ```ts
 * p2p.serveBlocks((from, count, signal) => serveBlocks(store, from, count, signal));
 * ```
 */
export async function serveBlocks(
  store: BlockStore,
  fromNumber: bigint,
  count: number,
  signal: AbortSignal,
): Promise<Uint8Array[]> {
  const blocks: Uint8Array[] = [];
  const last = fromNumber + BigInt(count) - 1n;
  const head = store.headNumber();
  for (let number = fromNumber; number <= last && number <= head; number++) {
    if (signal.aborted) break;
    const rlp = await store.blockRlp(number);
    if (rlp === undefined) break;
    blocks.push(rlp);
  }
  return blocks;
}
