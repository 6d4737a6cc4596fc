import { createMPTFromProof } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import {
  Account,
  bigIntToBytes,
  bytesToHex,
  KECCAK256_NULL,
  setLengthLeft,
} from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { describe, expect, it } from "vitest";
import { createTrieUpdate, EMPTY_TRIE_ROOT } from "../../../nodes/db/createTrieUpdate.ts";
import { stateNodeKey, stateNodeLoader } from "../../../nodes/db/stateNodeLoader.ts";
import { stateProof } from "../../../nodes/db/stateProof.ts";
import { trieProof } from "../../../nodes/db/trieProof.ts";
import { expectCustosError } from "../../expectCustosError.ts";

/** A state of `accounts` (the first with `slots` in storage), built with the node's trie code. */
function buildState(accounts: number, slots: number) {
  const nodes = new Map<string, Uint8Array>();
  const load = stateNodeLoader((key) => nodes.get(key));
  const addressOf = (i: number) => keccak_256(Uint8Array.of(i >> 8, i & 255)).subarray(0, 20);
  // The storage trie is the first account's: its nodes are kept behind its owner.
  const owner = keccak_256(addressOf(0));
  const store = (
    written: { hash: Uint8Array; encoded: Uint8Array }[],
    trieOwner: Uint8Array | undefined,
  ) => {
    for (const node of written) nodes.set(stateNodeKey(trieOwner, node.hash), node.encoded);
  };
  const storage = createTrieUpdate({
    root: EMPTY_TRIE_ROOT,
    load: load(owner),
    keccak: keccak_256,
  });
  for (let i = 1; i <= slots; i++) {
    storage.put(keccak_256(setLengthLeft(bigIntToBytes(BigInt(i)), 32)), RLP.encode(BigInt(i * 7)));
  }
  const storageCommit = storage.commit();
  store(storageCommit.nodes, owner);
  const state = createTrieUpdate({
    root: EMPTY_TRIE_ROOT,
    load: load(undefined),
    keccak: keccak_256,
  });
  const addresses: Uint8Array[] = [];
  for (let i = 0; i < accounts; i++) {
    const address = addressOf(i);
    addresses.push(address);
    const account = new Account(
      BigInt(i),
      10n ** 18n * BigInt(i + 1),
      i === 0 ? storageCommit.root : EMPTY_TRIE_ROOT,
      KECCAK256_NULL,
    );
    state.put(keccak_256(address), account.serialize());
  }
  const stateCommit = state.commit();
  store(stateCommit.nodes, undefined);
  return { root: stateCommit.root, storageRoot: storageCommit.root, addresses, load };
}

/** Verifies a proof with EthereumJS's own trie code: the value the proof holds under `key`. */
async function verified(root: Uint8Array, key: Uint8Array, proof: readonly Uint8Array[]) {
  const trie = await createMPTFromProof([...proof], { useKeyHashing: true });
  expect(bytesToHex(trie.root())).toBe(bytesToHex(root));
  return trie.get(key);
}

const slot = (n: number) => setLengthLeft(bigIntToBytes(BigInt(n)), 32);

describe("stateProof", () => {
  it("proves an account and its slots against the state root", async () => {
    const { root, storageRoot, addresses, load } = buildState(300, 40);
    const address = addresses[0] as Uint8Array;
    const proof = stateProof(root, address, [slot(3), slot(41)], load, keccak_256);
    expect(proof).toMatchObject({ nonce: 0n, balance: 10n ** 18n, codeHash: KECCAK256_NULL });
    expect(bytesToHex(proof.storageHash)).toBe(bytesToHex(storageRoot));
    expect(proof.accountProof.length).toBeGreaterThan(1);
    const account = await verified(root, address, proof.accountProof);
    expect(account).not.toBeNull();
    expect(bytesToHex(account as Uint8Array)).toBe(
      bytesToHex(new Account(0n, 10n ** 18n, storageRoot, KECCAK256_NULL).serialize()),
    );
    const [present, absent] = proof.storageProof;
    expect(present?.value).toBe(21n);
    const leaf = await verified(storageRoot, slot(3), present?.proof ?? []);
    expect(RLP.decode(leaf as Uint8Array)).toEqual(Uint8Array.of(21));
    expect(absent?.value).toBe(0n);
    expect(await verified(storageRoot, slot(41), absent?.proof ?? [])).toBeNull();
  });

  it("proves an absent account as empty", async () => {
    const { root, load } = buildState(50, 0);
    const stranger = Uint8Array.from({ length: 20 }, () => 0xee);
    const proof = stateProof(root, stranger, [slot(1)], load, keccak_256);
    expect(proof).toMatchObject({ nonce: 0n, balance: 0n, codeHash: KECCAK256_NULL });
    expect(bytesToHex(proof.storageHash)).toBe(bytesToHex(EMPTY_TRIE_ROOT));
    expect(proof.storageProof).toEqual([{ key: slot(1), value: 0n, proof: [] }]);
    expect(await verified(root, stranger, proof.accountProof)).toBeNull();
  });

  it("gives an empty proof for the empty trie and refuses a missing node", () => {
    expect(trieProof(EMPTY_TRIE_ROOT, Uint8Array.of(1), () => undefined)).toEqual({
      nodes: [],
      value: undefined,
    });
    expectCustosError(
      () => trieProof(keccak_256(Uint8Array.of(1)), Uint8Array.of(1), () => undefined),
      "STATE_NOT_AVAILABLE",
    );
  });
});
