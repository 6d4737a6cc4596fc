import type { Block } from "@ethereumjs/block";
import { blockIdParam, resolveBlock } from "../BlockId.ts";
import { defineMethod } from "../defineMethod.ts";
import type { JsonValue } from "../JsonValue.ts";
import type { AccountProof } from "../NodeApi.ts";
import { type Decoder, param } from "../param.ts";
import { rpcHex } from "../rpcHex.ts";

/** A storage key as execution-apis' bytesMax32: kept as sent (lowercased) and as 32 bytes. */
interface StorageKey {
  readonly text: string;
  readonly slot: Uint8Array;
}

const storageKeyPattern = /^0x[0-9a-fA-F]{0,64}$/;

const storageKeyParam: Decoder<StorageKey> = (value, path) => {
  if (typeof value !== "string" || !storageKeyPattern.test(value)) {
    return param.invalid(path, "a storage key (up to 32 bytes of hex)", value);
  }
  const digits = value.slice(2);
  const bytes = Buffer.from(digits.length % 2 === 0 ? digits : `0${digits}`, "hex");
  const slot = new Uint8Array(32);
  slot.set(bytes, 32 - bytes.length);
  return { text: value.toLowerCase(), slot };
};

/** Most storage keys one eth_getProof may ask for. */
const maxStorageKeys = 1024;

// Hoisted: a generic call inside `params` would defeat defineMethod's tuple inference.
const storageKeysParam = param.array(storageKeyParam, maxStorageKeys);
const optionalBlock = param.optional(blockIdParam.numberTagOrHash);

/**
 * `eth_getProof(address, storageKeys, block?)` (EIP-1186): the account's fields and the
 * storage slots' values with the Merkle-Patricia proofs that tie them to the block's state
 * root — each proof lists the RLP-encoded trie nodes from the root down to the value (or to
 * where its absence shows). An auditor checks them against a header it trusts, without
 * trusting this node. Keys are echoed as sent (lowercased); at most 1,024 per call.
 *
 * @throws CustosError RPC_INVALID_PARAMS, RPC_RESOURCE_NOT_FOUND for an unknown block,
 *   RPC_BLOCK_NOT_CANONICAL, STATE_NOT_AVAILABLE.
 * @example
 * ```ts
 * // ["0x…", ["0x0"], "latest"] → { accountProof: ["0xf90211…", …], storageProof: [{ key: "0x0", value: "0x1", proof: [ … ] }], … }
 * ```
 */
export const ethGetProof = defineMethod({
  name: "eth_getProof",
  params: [param.address, storageKeysParam, optionalBlock],
  async execute({ api }, [address, keys, blockId]) {
    const block: Block = await resolveBlock(api, blockId ?? { kind: "tag", tag: "latest" });
    const proof = await api.proof(
      address,
      keys.map((key) => key.slot),
      block,
    );
    return { address, keys, proof };
  },
  format: ({
    address,
    keys,
    proof,
  }: {
    address: Uint8Array;
    keys: readonly StorageKey[];
    proof: AccountProof;
  }): JsonValue => ({
    address: rpcHex.data(address),
    accountProof: proof.accountProof.map((node) => rpcHex.data(node)),
    balance: rpcHex.quantity(proof.balance),
    codeHash: rpcHex.data(proof.codeHash),
    nonce: rpcHex.quantity(proof.nonce),
    storageHash: rpcHex.data(proof.storageHash),
    storageProof: proof.storageProof.map((slot, i) => ({
      key: keys[i]?.text ?? rpcHex.data(slot.key),
      value: rpcHex.quantity(slot.value),
      proof: slot.proof.map((node) => rpcHex.data(node)),
    })),
  }),
});
