import { RLP } from "@ethereumjs/rlp";
import { CustosError } from "../../src/errors/index.ts";
import { type FlatWrite, flatSlotValue } from "./createFlatState.ts";
import { trieEntries } from "./readTrie.ts";
import type { StateNodeLoader } from "./stateNodeLoader.ts";

/**
 * The flat state of the state trie at `stateRoot`: every account, then its storage slots, as
 * flat-state puts. Used to give genesis its flat state and to rebuild the keyspaces of a
 * database whose flat state is missing.
 *
 * @throws CustosError `STATE_NOT_AVAILABLE` when a trie node is missing; `CHAIN_DB_CORRUPT`
 * when an account leaf is not an account.
 * @example
 * ```ts
 * for (const write of flatStateOfTrie(stateRoot, stateNodeLoader(getSync))) ops.push(write);
 * ```
 */
export function* flatStateOfTrie(
  stateRoot: Uint8Array,
  load: StateNodeLoader,
): Generator<FlatWrite> {
  for (const [addressHash, account] of trieEntries(stateRoot, load(undefined))) {
    yield { kind: "account", addressHash, value: account };
    const fields = RLP.decode(account);
    const storageRoot = Array.isArray(fields) ? fields[2] : undefined;
    if (!(storageRoot instanceof Uint8Array) || storageRoot.length !== 32) {
      throw new CustosError("CHAIN_DB_CORRUPT", "state trie leaf is not an account", {
        details: { keyspace: "state", key: Buffer.from(addressHash).toString("hex") },
      });
    }
    for (const [slotHash, leaf] of trieEntries(storageRoot, load(addressHash))) {
      yield { kind: "storage", addressHash, slotHash, value: flatSlotValue(leaf) };
    }
  }
}
