import type { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { MerkleStateManager, type MerkleStateManagerOpts } from "@ethereumjs/statemanager";
import { type Account, type Address, bytesToUnprefixedHex } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";

/**
 * EthereumJS's MerkleStateManager with each storage trie's nodes kept behind its owner,
 * keccak(address) in full: the state keyspace's layout (`stateNodeKey`), so genesis and the
 * `merkle` reference path read and write the same keys as the node's own state manager.
 * EthereumJS's `prefixStorageTrieKeys` uses 7 bytes of the hash, which the pruning of
 * storage tries cannot rely on (see `stateNodeKey`).
 *
 * @example
 * ```ts
 * const stateManager = new OwnedStorageStateManager({ common, trie, caches: new Caches() });
 * ```
 */
export class OwnedStorageStateManager extends MerkleStateManager {
  readonly #keccak: (data: Uint8Array) => Uint8Array;

  constructor(opts: MerkleStateManagerOpts = {}) {
    super(opts);
    this.#keccak = opts.common?.customCrypto.keccak256 ?? keccak_256;
  }

  protected override _getStorageTrie(
    addressOrHash: Address | { bytes: Uint8Array } | Uint8Array,
    rootAccount?: Account,
  ): MerklePatriciaTrie {
    const owner =
      addressOrHash instanceof Uint8Array ? addressOrHash : this.#keccak(addressOrHash.bytes);
    const key = bytesToUnprefixedHex(owner);
    let trie = this._storageTries[key];
    if (trie === undefined) {
      trie = this._trie.shallowCopy(false, { keyPrefix: owner });
      trie.root(rootAccount?.storageRoot ?? trie.EMPTY_TRIE_ROOT);
      trie.flushCheckpoints();
      this._storageTries[key] = trie;
    }
    return trie;
  }
}
