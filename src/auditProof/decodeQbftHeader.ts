import { keccak_256 } from "@noble/hashes/sha3.js";
import { hexToBytes } from "./hexBytes.ts";
import type { Keccak256 } from "./Keccak256.ts";
import type { FailLink } from "./proofInvalid.ts";
import { decodeRlp, encodeRlp, type RlpItem } from "./rlp.ts";

/** A sealed QBFT header as a proof uses it. */
export interface ProvenHeader {
  readonly number: number;
  /** Seconds since the Unix epoch. */
  readonly timestamp: number;
  /** The proposer. */
  readonly coinbase: Uint8Array;
  readonly transactionsRoot: Uint8Array;
  readonly receiptsRoot: Uint8Array;
  /** The validator set the header lists for its own height, as listed. */
  readonly validators: readonly Uint8Array[];
  /** The commit seals, 65 bytes each: r ‖ s ‖ recovery id (0 or 1). */
  readonly seals: readonly Uint8Array[];
  /** What each commit seal signs: the header with the real round and no seals. */
  readonly commitSealHash: Uint8Array;
  /** The block hash (Besu's on-chain hash): the header with round 0 and no seals. */
  readonly hash: Uint8Array;
}

/** Header field indexes every hardfork shares (Besu's and EthereumJS's order). */
const FIELD = {
  coinbase: 2,
  transactionsRoot: 4,
  receiptsRoot: 5,
  number: 8,
  timestamp: 11,
  extraData: 12,
} as const;

/** The largest QBFT round (Besu reads it into a Java int). */
const MAX_ROUND = 0x7fff_ffff;

function integer(bytes: Uint8Array, field: string, fail: FailLink): number {
  if (bytes.length > 0 && bytes[0] === 0) fail(`${field} has a leading zero byte`);
  if (bytes.length > 7) fail(`${field} is longer than 7 bytes`);
  const value = bytes.reduce((sum, byte) => sum * 256 + byte, 0);
  if (!Number.isSafeInteger(value)) fail(`${field} is above 2^53`);
  return value;
}

function sized(item: RlpItem | undefined, length: number, field: string, fail: FailLink) {
  if (!(item instanceof Uint8Array) || item.length !== length) {
    return fail(`${field} is not ${length} bytes`);
  }
  return item;
}

/** secp256k1's group order n, big-endian. */
const ORDER = hexToBytes(
  "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
) as Uint8Array;

/** True when the 32 bytes at `offset` hold a scalar from 1 to n − 1. */
function scalar(bytes: Uint8Array, offset: number): boolean {
  let zero = true;
  let below: boolean | undefined;
  for (let i = 0; i < 32; i++) {
    const byte = bytes[offset + i] as number;
    if (byte !== 0) zero = false;
    if (below === undefined && byte !== ORDER[i]) below = byte < (ORDER[i] as number);
  }
  return !zero && below === true;
}

function decodeExtraData(
  extraData: Uint8Array,
  failHeader: FailLink,
  failSeals: FailLink,
): { items: RlpItem[]; validators: Uint8Array[]; seals: Uint8Array[] } {
  const decoded = decodeRlp(extraData);
  if (typeof decoded === "string") return failHeader(`extraData is not RLP: ${decoded}`);
  if (decoded instanceof Uint8Array || decoded.length !== 5) {
    return failHeader("extraData is not the QBFT list [vanity, validators, vote, round, seals]");
  }
  const [vanity, validatorList, vote, round, sealList] = decoded as [
    RlpItem,
    RlpItem,
    RlpItem,
    RlpItem,
    RlpItem,
  ];
  sized(vanity, 32, "the extraData vanity", failHeader);
  if (validatorList instanceof Uint8Array)
    return failHeader("the extraData validators are not a list");
  const validators = validatorList.map((v, i) =>
    sized(v, 20, `extraData validator ${i}`, failHeader),
  );
  if (vote instanceof Uint8Array) return failHeader("the extraData vote is not a list");
  if (vote.length !== 0) {
    const [recipient, kind] = vote;
    sized(recipient, 20, "the vote recipient", failHeader);
    const add = kind instanceof Uint8Array && kind.length === 1 && kind[0] === 0xff;
    const drop = kind instanceof Uint8Array && kind.length === 0;
    if (vote.length !== 2 || !(add || drop)) {
      failHeader("the extraData vote is not [recipient, 0xff | 0x80]");
    }
  }
  if (!(round instanceof Uint8Array)) return failHeader("the extraData round is a list");
  if (round.length > 4) failHeader("the extraData round is longer than 4 bytes");
  if (integer(round, "the extraData round", failHeader) > MAX_ROUND) {
    failHeader(`the extraData round is above ${MAX_ROUND}`);
  }
  if (sealList instanceof Uint8Array) return failSeals("the extraData seals are not a list");
  const seals = sealList.map((seal, index) => {
    if (!(seal instanceof Uint8Array) || seal.length !== 65) {
      return failSeals(`seal ${index} is not 65 bytes`, { seal: index });
    }
    if (!scalar(seal, 0) || !scalar(seal, 32)) {
      failSeals(`seal ${index} has r or s outside 1..n-1`, { seal: index });
    }
    if ((seal[64] as number) > 1) {
      failSeals(`seal ${index} has recovery id ${seal[64]}, not 0 or 1`, { seal: index });
    }
    return seal;
  });
  return { items: decoded as RlpItem[], validators, seals };
}

/**
 * Decodes a sealed QBFT header's RLP (any hardfork: a list of 15 or more byte strings, of
 * which only the shared fields are read, so a Besu header reads too) and its extraData in
 * Besu's layout as strictly as Besu (32-byte vanity, 20-byte validators, a vote that is
 * empty or `[recipient, 0xff | 0x80]`, a minimal round up to 2^31 − 1, 65-byte seals with r
 * and s in 1..n − 1 and a recovery id of 0 or 1), and computes its commit-seal hash and its
 * on-chain hash (Besu's `BftBlockHashing`). Block 0 carries no seals and is refused.
 *
 * @param failHeader throws for a header problem; `failSeals` for a malformed seal.
 * @param keccak256 the hash (default noble's; a Node caller may pass a native one).
 * @example
 * ```ts
 * const header = decodeQbftHeader(bytes, failAt("header", place), failAt("seals", place));
 * ```
 */
export function decodeQbftHeader(
  bytes: Uint8Array,
  failHeader: FailLink,
  failSeals: FailLink,
  keccak256: Keccak256 = keccak_256,
): ProvenHeader {
  const decoded = decodeRlp(bytes);
  if (typeof decoded === "string") return failHeader(`the header is not RLP: ${decoded}`);
  if (decoded instanceof Uint8Array || decoded.length < 15) {
    return failHeader("the header is not a list of 15 or more fields");
  }
  if (!decoded.every((field) => field instanceof Uint8Array)) {
    return failHeader("a header field is a list");
  }
  const fields = decoded as readonly Uint8Array[];
  const number = integer(fields[FIELD.number] as Uint8Array, "the number", failHeader);
  if (number === 0) failHeader("block 0 carries no commit seals: a proof starts at block 1");
  const extra = decodeExtraData(fields[FIELD.extraData] as Uint8Array, failHeader, failSeals);
  const [vanity, validators, vote, round] = extra.items as [RlpItem, RlpItem, RlpItem, RlpItem];
  const hashWith = (extraData: RlpItem[]) => {
    const copy: RlpItem[] = [...fields];
    copy[FIELD.extraData] = encodeRlp(extraData);
    return keccak256(encodeRlp(copy));
  };
  const commitSealHash = hashWith([vanity, validators, vote, round, []]);
  return {
    number,
    timestamp: integer(fields[FIELD.timestamp] as Uint8Array, "the timestamp", failHeader),
    coinbase: sized(fields[FIELD.coinbase], 20, "the coinbase", failHeader),
    transactionsRoot: sized(fields[FIELD.transactionsRoot], 32, "the transactionsRoot", failHeader),
    receiptsRoot: sized(fields[FIELD.receiptsRoot], 32, "the receiptsRoot", failHeader),
    validators: extra.validators,
    seals: extra.seals,
    commitSealHash,
    // A block committed in round 0 (the round is minimal, so empty) hashes the same bytes
    // twice: reuse the first keccak.
    hash:
      (round as Uint8Array).length === 0
        ? commitSealHash
        : hashWith([vanity, validators, vote, new Uint8Array(0), []]),
  };
}
