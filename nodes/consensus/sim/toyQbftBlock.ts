import { RLP } from "@ethereumjs/rlp";
import type { QbftBlock, QbftBlockCodec } from "../core/index.ts";
import { memoKeccak256 } from "./memoKeccak256.ts";

/** What a toy block is made of. */
export interface ToyBlockFields {
  readonly height: bigint;
  readonly round: number;
  readonly proposer: Uint8Array;
  readonly parentHash: Uint8Array;
  /** Stands for the transactions: any bytes. */
  readonly body: Uint8Array;
}

/** A toy block: {@link QbftBlock} with its body. */
export interface ToyQbftBlock extends QbftBlock, ToyBlockFields {
  withRound(round: number): ToyQbftBlock;
}

function encode(fields: ToyBlockFields, round: number): Uint8Array {
  return RLP.encode([fields.height, round, fields.proposer, fields.parentHash, fields.body]);
}

/**
 * A toy block with Besu's two hashes: `encoded` is RLP `[height, round, proposer,
 * parentHash, body]`, `digest` its keccak (the round is in it, like the commit-seal hash),
 * `hash` the keccak of the same with round 0 (like the on-chain hash, the same at every
 * round).
 *
 * @example
 * ```ts
 * const block = createToyQbftBlock({ height: 1n, round: 0, proposer, parentHash, body });
 * block.withRound(2).hash; // equals block.hash
 * ```
 */
export function createToyQbftBlock(fields: ToyBlockFields): ToyQbftBlock {
  const encoded = encode(fields, fields.round);
  return {
    height: fields.height,
    round: fields.round,
    proposer: fields.proposer,
    parentHash: fields.parentHash,
    body: fields.body,
    encoded,
    digest: memoKeccak256(encoded),
    hash: memoKeccak256(encode(fields, 0)),
    withRound: (round) => createToyQbftBlock({ ...fields, round }),
  };
}

function uint(value: Uint8Array, maxBytes: number): bigint | undefined {
  if (value.length > maxBytes || (value.length > 0 && value[0] === 0)) return undefined;
  let out = 0n;
  for (const byte of value) out = (out << 8n) | BigInt(byte);
  return out;
}

/** {@link QbftBlockCodec} of toy blocks: what it decodes is a {@link ToyQbftBlock}. */
export interface ToyQbftBlockCodec extends QbftBlockCodec {
  decode(encoded: Uint8Array): ToyQbftBlock | undefined;
}

/**
 * The codec of toy blocks: anything but the canonical encoding of five fields of the right
 * sizes is undefined.
 *
 * @example
 * ```ts
 * const block = toyQbftBlockCodec.decode(bytes); // ToyQbftBlock | undefined
 * ```
 */
export const toyQbftBlockCodec: ToyQbftBlockCodec = {
  decode(encoded) {
    let value: unknown;
    try {
      value = RLP.decode(encoded);
    } catch {
      return undefined;
    }
    if (!Array.isArray(value) || value.length !== 5) return undefined;
    if (!value.every((item): item is Uint8Array => item instanceof Uint8Array)) return undefined;
    const [heightBytes, roundBytes, proposer, parentHash, body] = value as Uint8Array[];
    const height = uint(heightBytes as Uint8Array, 8);
    const round = uint(roundBytes as Uint8Array, 4);
    if (height === undefined || round === undefined || round > 0x7fffffffn) return undefined;
    if (proposer?.length !== 20 || parentHash?.length !== 32) return undefined;
    const block = createToyQbftBlock({
      height,
      round: Number(round),
      proposer,
      parentHash,
      body: body as Uint8Array,
    });
    return Buffer.from(block.encoded).equals(encoded) ? block : undefined;
  },
};
