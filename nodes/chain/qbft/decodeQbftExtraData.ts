import {
  QBFT_ADDRESS_LENGTH,
  QBFT_MAX_ROUND,
  QBFT_VANITY_LENGTH,
  type QbftExtraData,
  type QbftVote,
} from "./QbftExtraData.ts";
import { extraDataInvalid } from "./qbftErrors.ts";
import { type RlpSpan, readCanonicalRlp } from "./readCanonicalRlp.ts";
import { sealProblem } from "./sealProblem.ts";

/** Walks the items of one list, naming the field at fault in every error. */
class ListReader {
  readonly #bytes: Uint8Array;
  readonly #end: number;
  #pos: number;

  constructor(bytes: Uint8Array, list: RlpSpan) {
    this.#bytes = bytes;
    this.#pos = list.start;
    this.#end = list.end;
  }

  get done(): boolean {
    return this.#pos >= this.#end;
  }

  next(field: string, index?: number): RlpSpan {
    const span = readCanonicalRlp(this.#bytes, this.#pos, this.#end);
    if (typeof span === "string") {
      throw extraDataInvalid(field, span, index === undefined ? {} : { index });
    }
    this.#pos = span.end;
    return span;
  }

  bytes(field: string, length?: number, index?: number): Uint8Array {
    const span = this.next(field, index);
    const at = index === undefined ? {} : { index };
    if (span.list) throw extraDataInvalid(field, "is a list, not a byte string", at);
    const size = span.end - span.start;
    if (length !== undefined && size !== length) {
      throw extraDataInvalid(field, `is ${size} bytes, not ${length}`, at);
    }
    return this.#bytes.slice(span.start, span.end);
  }

  list(field: string): ListReader {
    const span = this.next(field);
    if (!span.list) throw extraDataInvalid(field, "is a byte string, not a list");
    return new ListReader(this.#bytes, span);
  }
}

function readVote(reader: ListReader): QbftVote | undefined {
  const vote = reader.list("vote");
  if (vote.done) return undefined;
  const recipient = vote.bytes("vote", QBFT_ADDRESS_LENGTH);
  const kind = vote.bytes("vote");
  if (!vote.done) throw extraDataInvalid("vote", "has more than 2 items");
  if (kind.length === 0) return { recipient, add: false };
  if (kind.length === 1 && kind[0] === 0xff) return { recipient, add: true };
  throw extraDataInvalid("vote", "has a vote type other than 0xff (add) or 0x80 (drop)");
}

function readRound(reader: ListReader): number {
  const round = reader.bytes("round");
  if (round.length > 4) throw extraDataInvalid("round", `is ${round.length} bytes, over 4`);
  if (round[0] === 0) throw extraDataInvalid("round", "has a leading zero byte");
  const value = round.reduce((sum, b) => sum * 256 + b, 0);
  if (value > QBFT_MAX_ROUND) throw extraDataInvalid("round", `is over ${QBFT_MAX_ROUND}`);
  return value;
}

/**
 * Decodes a block's `extraData` in Besu's QBFT layout, as strictly as Besu's
 * `QbftExtraDataCodec.decodeRaw` and its header rules: canonical RLP filling the input
 * exactly; a 32-byte vanity (Besu's `BftVanityDataValidationRule`); 20-byte validators; a
 * vote that is an empty list or `[recipient, 0xff | 0x80]`; a round as a minimal big-endian
 * integer (a leading zero byte, or more than 4 bytes, is refused); 65-byte seals with r and s
 * from 1 to n − 1 and a recovery id of 0 or 1; nothing after the seals.
 *
 * Two spots where Besu is looser, refused here so every accepted extraData re-encodes to the
 * same bytes (no two encodings of one header): Besu ignores items after the seals
 * (`leaveListLenient`) and takes an empty list `0xc0` as a drop vote's type.
 *
 * @throws CustosError `QBFT_EXTRA_DATA_INVALID` whose details name the `field` (extraData,
 *   vanity, validators, vote, round, seals), the `reason` and, in a list, the `index`.
 * @example
 * ```ts
 * const { validators, round, seals } = decodeQbftExtraData(header.extraData);
 * ```
 */
export function decodeQbftExtraData(bytes: Uint8Array): QbftExtraData {
  if (bytes.length === 0) throw extraDataInvalid("extraData", "is empty");
  const root = readCanonicalRlp(bytes, 0, bytes.length);
  if (typeof root === "string") throw extraDataInvalid("extraData", root);
  if (!root.list) throw extraDataInvalid("extraData", "is a byte string, not a list");
  if (root.end !== bytes.length) {
    throw extraDataInvalid("extraData", "has bytes after its RLP list", {
      trailing: bytes.length - root.end,
    });
  }
  const reader = new ListReader(bytes, root);
  const vanity = reader.bytes("vanity", QBFT_VANITY_LENGTH);
  const validatorList = reader.list("validators");
  const validators: Uint8Array[] = [];
  while (!validatorList.done) {
    validators.push(validatorList.bytes("validators", QBFT_ADDRESS_LENGTH, validators.length));
  }
  const vote = readVote(reader);
  const round = readRound(reader);
  const sealList = reader.list("seals");
  const seals: Uint8Array[] = [];
  while (!sealList.done) {
    const index = seals.length;
    const seal = sealList.bytes("seals", undefined, index);
    const problem = sealProblem(seal);
    if (problem !== undefined) throw extraDataInvalid("seals", problem, { index });
    seals.push(seal);
  }
  if (!reader.done) throw extraDataInvalid("extraData", "has items after the seals");
  return { vanity, validators, vote, round, seals };
}
