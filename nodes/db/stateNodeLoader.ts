import { trieKeyHex } from "./trieDbCodec.ts";
import type { LoadNode } from "./trieNode.ts";

/**
 * Reads the state's trie nodes: the account trie's (`owner` undefined) or one account's
 * storage trie's (`owner` = keccak(address)).
 */
export type StateNodeLoader = (owner: Uint8Array | undefined) => LoadNode;

/**
 * The state keyspace's key of a trie node, as EthereumJS's unprefixed hex: the account trie's
 * nodes by their hash, a storage trie's behind its owner, keccak(address) in full. Storage
 * tries are kept apart because pruning deletes a node its trie no longer references: two
 * contracts' tries can hold byte-identical nodes (the same slot set to the same value), which
 * one shared key would let one trie's update delete from under the other. Within one trie the
 * keys are hashes, so no node occurs twice; 32 bytes of owner (not EthereumJS's 7) leave no
 * room to grind an address into another trie's keys.
 *
 * @example
 * ```ts
 * stateNodeKey(keccak(address), nodeHash); // 128 hex digits
 * ```
 */
export function stateNodeKey(owner: Uint8Array | undefined, hash: Uint8Array): string {
  return owner === undefined ? trieKeyHex(hash) : trieKeyHex(owner) + trieKeyHex(hash);
}

/**
 * A {@link StateNodeLoader} over a synchronous read by hex key (a state DB's `getSync`).
 *
 * @example
 * ```ts
 * const loader = stateNodeLoader((key) => chainDb.trieDb.getSync(key));
 * const leaf = readTrie(storageRoot, keccak(slot), loader(keccak(address)));
 * ```
 */
export function stateNodeLoader(getSync: (key: string) => Uint8Array | undefined): StateNodeLoader {
  const account: LoadNode = (hash) => getSync(trieKeyHex(hash));
  return (owner) => {
    if (owner === undefined) return account;
    const prefix = trieKeyHex(owner);
    return (hash) => getSync(prefix + trieKeyHex(hash));
  };
}
