import { createAccountFromRLP, equalsBytes, KECCAK256_NULL } from "@ethereumjs/util";
import { trieEntries } from "./readTrie.ts";
import { type StateNodeLoader, stateNodeKey } from "./stateNodeLoader.ts";
import { storedTrieNodes } from "./storedTrieNodes.ts";

/**
 * The state keyspace's keys (EthereumJS's hex) of everything the state at `stateRoot` uses:
 * its account trie's nodes, each account's storage-trie nodes behind its owner, and its
 * code. What a pruned database holds after a persist, and what genesis stores of the
 * nodes EthereumJS wrote while deploying the contracts (every intermediate version).
 *
 * @throws CustosError `STATE_NOT_AVAILABLE` when a node is missing.
 * @example
 * ```ts
 * const live = liveStateKeys(genesis.header.stateRoot, stateNodeLoader((key) => nodes.get(key)));
 * ```
 */
export function liveStateKeys(stateRoot: Uint8Array, load: StateNodeLoader): Set<string> {
  const keys = new Set<string>();
  for (const hash of storedTrieNodes(stateRoot, load(undefined))) {
    keys.add(stateNodeKey(undefined, hash));
  }
  for (const [addressHash, rlp] of trieEntries(stateRoot, load(undefined))) {
    const account = createAccountFromRLP(rlp);
    for (const hash of storedTrieNodes(account.storageRoot, load(addressHash))) {
      keys.add(stateNodeKey(addressHash, hash));
    }
    if (!equalsBytes(account.codeHash, KECCAK256_NULL)) {
      keys.add(`63${Buffer.from(account.codeHash).toString("hex")}`);
    }
  }
  return keys;
}
