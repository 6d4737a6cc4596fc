import type { Common } from "@ethereumjs/common";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { isCustosError } from "../../../src/errors/index.ts";
import {
  type BlockHashRule,
  type BlockHashRuleOptions,
  encodeRlp,
  installBlockHashRule,
} from "../../db/index.ts";
import { loadNativeCrypto } from "../../execution/index.ts";
import { decodeQbftExtraData } from "./decodeQbftExtraData.ts";
import { encodeQbftExtraData } from "./encodeQbftExtraData.ts";
import type { QbftExtraData } from "./QbftExtraData.ts";
import { EXTRA_DATA_FIELD } from "./withExtraData.ts";

/** Index of `number` in a header's RLP fields. */
const NUMBER_FIELD = 8;

let keccakFunction: ((data: Uint8Array) => Uint8Array) | undefined;

/**
 * keccak-256 as EthereumJS hashes a Custos header (the Common's native addon, answering a
 * Buffer, or noble's): block hashes keep the type they had, and compare equal to the hashes
 * the database reads back (Buffers too).
 */
function keccak256(data: Uint8Array): Uint8Array {
  keccakFunction ??= loadNativeCrypto().customCrypto.keccak256 ?? keccak_256;
  return keccakFunction(data);
}

/** The QBFT fields of a header's extraData, or undefined when it holds none. */
function qbftFieldsOf(extraData: Uint8Array): QbftExtraData | undefined {
  try {
    return decodeQbftExtraData(extraData);
  } catch (error) {
    if (isCustosError(error, "QBFT_EXTRA_DATA_INVALID")) return undefined;
    throw error;
  }
}

function hashFields(fields: readonly Uint8Array[]): Uint8Array {
  const extraData = fields[EXTRA_DATA_FIELD];
  const number = fields[NUMBER_FIELD];
  // Block 0 is hashed as it is; so is a header whose extraData holds no QBFT fields, which
  // no QBFT chain holds (no import verifies): it has no round or seals to leave out.
  if (extraData === undefined || number === undefined || number.length === 0) {
    return keccak256(encodeRlp(fields));
  }
  const qbft = qbftFieldsOf(extraData);
  // A decoded extraData re-encodes to its own bytes: with round 0 and no seals, as they are.
  if (qbft === undefined || (qbft.round === 0 && qbft.seals.length === 0)) {
    return keccak256(encodeRlp(fields));
  }
  const onchain = [...fields];
  onchain[EXTRA_DATA_FIELD] = encodeQbftExtraData({ ...qbft, round: 0, seals: [] });
  return keccak256(encodeRlp(onchain));
}

/**
 * Custos's block-hash rule: a block's hash is Besu's on-chain hash (see `qbftOnchainHash`,
 * `BftBlockHashing.calculateHashOfBftBlockOnchain`): keccak-256 of the header's RLP with its
 * extraData re-encoded with round 0 and no commit seals, block 0 as it is. It applies to the
 * headers of chains whose `Common` names QBFT as its consensus algorithm
 * (`createCustosCommon`). A header whose extraData is not QBFT extraData is hashed as it
 * stands, as EthereumJS does: no QBFT chain holds one, since every block the node imports is
 * verified (`verifySealedHeader`) and the producer writes QBFT extraData.
 *
 * @example
 * ```ts
 * qbftBlockHashRule.hashFields(header.raw()); // equals qbftOnchainHash(header)
 * ```
 */
export const qbftBlockHashRule: BlockHashRule = {
  name: "qbft-onchain",
  appliesTo: (common: Common) => common.consensusAlgorithm() === "qbft",
  hashFields,
};

/**
 * Makes EthereumJS's `BlockHeader.hash` and `Block.hash` answer {@link qbftBlockHashRule}'s
 * hash for Custos headers in this thread, so the chain database's keys, every built block's
 * parentHash, receipts, logs and JSON-RPC name blocks as Besu does. Called at each wiring
 * point before the first block is hashed: node start-up, `custos db check`, test fixtures
 * and benchmarks; a second call does nothing.
 *
 * @throws CustosError `BLOCK_HASH_PATCH_UNSUPPORTED` when the installed `@ethereumjs/block`
 *   is not the pinned version (see `installBlockHashRule`).
 * @example
 * ```ts
 * installQbftBlockHash();
 * const chainDb = await createChainDb({ location, common });
 * ```
 */
export function installQbftBlockHash(options: BlockHashRuleOptions = {}): void {
  installBlockHashRule(qbftBlockHashRule, options);
}
