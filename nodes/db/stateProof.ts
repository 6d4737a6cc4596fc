import { RLP } from "@ethereumjs/rlp";
import { bytesToBigInt, createAccountFromRLP, KECCAK256_NULL } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";
import { EMPTY_TRIE_ROOT } from "./createTrieUpdate.ts";
import type { StateNodeLoader } from "./stateNodeLoader.ts";
import { trieProof } from "./trieProof.ts";

/** An account and some of its storage slots with their proofs (EIP-1186, as bytes). */
export interface StateProof {
  readonly nonce: bigint;
  readonly balance: bigint;
  readonly codeHash: Uint8Array;
  readonly storageHash: Uint8Array;
  readonly accountProof: readonly Uint8Array[];
  readonly storageProof: readonly {
    readonly key: Uint8Array;
    readonly value: bigint;
    readonly proof: readonly Uint8Array[];
  }[];
}

function corruptValue(what: string, cause: unknown): CustosError {
  return new CustosError("CHAIN_DB_CORRUPT", `stored ${what} does not decode`, {
    details: { keyspace: "state", key: what },
    cause,
  });
}

/**
 * Builds the EIP-1186 proof of `address` and its 32-byte storage `slots` in the state at
 * `stateRoot`: the account trie is keyed by keccak(address), each storage trie by
 * keccak(slot), and a slot's leaf holds the RLP of its value without leading zeros. An absent
 * account proves its absence and reads as empty (zero nonce and balance, the empty code hash
 * and storage root, every slot zero with an empty proof).
 *
 * @throws CustosError `STATE_NOT_AVAILABLE` when a node on a path is not stored,
 *   `CHAIN_DB_CORRUPT` when a node or a stored account or slot does not decode.
 * @example
 * ```ts
 * const proof = stateProof(block.header.stateRoot, address, [slot0], stateNodeLoader(getSync), keccak256);
 * ```
 */
export function stateProof(
  stateRoot: Uint8Array,
  address: Uint8Array,
  slots: readonly Uint8Array[],
  load: StateNodeLoader,
  keccak: (data: Uint8Array) => Uint8Array,
): StateProof {
  const addressHash = keccak(address);
  const account = trieProof(stateRoot, addressHash, load(undefined));
  let nonce = 0n;
  let balance = 0n;
  let codeHash = KECCAK256_NULL;
  let storageHash = EMPTY_TRIE_ROOT;
  if (account.value !== undefined) {
    try {
      const decoded = createAccountFromRLP(account.value);
      nonce = decoded.nonce;
      balance = decoded.balance;
      codeHash = decoded.codeHash;
      storageHash = decoded.storageRoot;
    } catch (cause) {
      throw corruptValue("account", cause);
    }
  }
  const storageProof = slots.map((slot) => {
    const found = trieProof(storageHash, keccak(slot), load(addressHash));
    let value = 0n;
    if (found.value !== undefined) {
      let decoded: unknown;
      try {
        decoded = RLP.decode(found.value);
      } catch (cause) {
        throw corruptValue("storage slot", cause);
      }
      if (!(decoded instanceof Uint8Array)) throw corruptValue("storage slot", undefined);
      value = bytesToBigInt(decoded);
    }
    return { key: slot, value, proof: found.nodes };
  });
  return {
    nonce,
    balance,
    codeHash,
    storageHash,
    accountProof: account.nodes,
    storageProof,
  };
}
