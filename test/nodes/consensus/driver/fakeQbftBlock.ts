import { RLP } from "@ethereumjs/rlp";
import type { QbftBlock, QbftBlockCodec } from "../../../../nodes/consensus/core/index.ts";
import { fakeHash } from "./fakeQbftCrypto.ts";

/** What a fake block holds. */
export interface FakeBlockFields {
  readonly height: bigint;
  readonly round: number;
  readonly proposer: Uint8Array;
  readonly parentHash: Uint8Array;
  /** Header timestamp, seconds. */
  readonly timestamp: bigint;
  /** Stands for the state root execution must reproduce. */
  readonly stateRoot: Uint8Array;
}

/** A fake block: a {@link QbftBlock} with its fields. */
export interface FakeQbftBlock extends QbftBlock, FakeBlockFields {
  withRound(round: number): FakeQbftBlock;
}

function encode(fields: FakeBlockFields, round: number): Uint8Array {
  return RLP.encode([
    fields.height,
    round,
    fields.proposer,
    fields.parentHash,
    fields.timestamp,
    fields.stateRoot,
  ]);
}

/**
 * A fake block with Besu's two hashes: `encoded` is RLP `[height, round, proposer,
 * parentHash, timestamp, stateRoot]`; `digest` hashes it with its round, `hash` with round 0.
 *
 * @example
 * ```ts
 * const block = fakeQbftBlock({ height: 1n, round: 0, proposer, parentHash, timestamp, stateRoot });
 * block.withRound(1).hash; // equals block.hash
 * ```
 */
export function fakeQbftBlock(fields: FakeBlockFields): FakeQbftBlock {
  const encoded = encode(fields, fields.round);
  return {
    ...fields,
    encoded,
    digest: fakeHash(encoded),
    hash: fakeHash(encode(fields, 0)),
    withRound: (round) => fakeQbftBlock({ ...fields, round }),
  };
}

function integer(value: unknown, maxBytes: number): bigint | undefined {
  if (!(value instanceof Uint8Array) || value.length > maxBytes) return undefined;
  if (value.length > 0 && value[0] === 0) return undefined;
  return value.reduce((sum, byte) => (sum << 8n) | BigInt(byte), 0n);
}

function bytes(value: unknown, length: number): Uint8Array | undefined {
  return value instanceof Uint8Array && value.length === length ? value : undefined;
}

/** A {@link QbftBlockCodec} that says what it decodes. */
export interface FakeQbftBlockCodec extends QbftBlockCodec {
  decode(encoded: Uint8Array): FakeQbftBlock | undefined;
}

/**
 * Decodes fake blocks; anything else is undefined.
 *
 * @example
 * ```ts
 * fakeQbftBlockCodec.decode(block.encoded)?.height; // block.height
 * ```
 */
export const fakeQbftBlockCodec: FakeQbftBlockCodec = {
  decode(encoded) {
    let items: unknown;
    try {
      items = RLP.decode(encoded);
    } catch {
      return undefined;
    }
    if (!Array.isArray(items) || items.length !== 6) return undefined;
    const height = integer(items[0], 8);
    const round = integer(items[1], 4);
    const proposer = bytes(items[2], 20);
    const parentHash = bytes(items[3], 32);
    const timestamp = integer(items[4], 8);
    const stateRoot = bytes(items[5], 32);
    if (
      height === undefined ||
      round === undefined ||
      proposer === undefined ||
      parentHash === undefined ||
      timestamp === undefined ||
      stateRoot === undefined
    ) {
      return undefined;
    }
    const block = fakeQbftBlock({
      height,
      round: Number(round),
      proposer,
      parentHash,
      timestamp,
      stateRoot,
    });
    return Buffer.from(block.encoded).equals(encoded) ? block : undefined;
  },
};
