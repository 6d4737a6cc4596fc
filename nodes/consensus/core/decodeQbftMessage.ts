import { qbftSigningHash } from "./encodeQbftPayload.ts";
import type { QbftBlock, QbftBlockCodec } from "./QbftBlock.ts";
import type { QbftCrypto } from "./QbftCrypto.ts";
import {
  QBFT_MESSAGE_CODES,
  type QbftCommitPayload,
  type QbftMessage,
  type QbftPayload,
  type QbftPreparedMetadata,
  type QbftPreparePayload,
  type QbftProposalPayload,
  type QbftRoundChangePayload,
  type QbftSigned,
} from "./QbftMessage.ts";
import {
  isShallowRlp,
  type RlpSpan,
  readRlpBytes,
  readRlpList,
  readRlpRoot,
  readRlpTuple,
  readRlpUint,
  rlpRaw,
} from "./qbftRlp.ts";
import { recoverQbftAuthor } from "./recoverQbftAuthor.ts";

/** Caps applied while decoding network bytes, before any signature is recovered. */
export interface QbftDecodeLimits {
  /** Largest message accepted, in bytes (code byte included). */
  readonly maxMessageBytes: number;
  /**
   * Longest justification list (round changes or prepares) read; the rules later require
   * at most the validator count.
   */
  readonly maxJustifications: number;
}

/**
 * Default decoding caps: 16 MiB (a proposal carries a whole block) and 256 entries per
 * justification list (more than any hospital network's validator count).
 *
 * @example
 * ```ts
 * decodeQbftMessage(bytes, codec, crypto, { ...defaultQbftDecodeLimits, maxMessageBytes: 1 << 20 });
 * ```
 */
export const defaultQbftDecodeLimits: QbftDecodeLimits = Object.freeze({
  maxMessageBytes: 16 * 1024 * 1024,
  maxJustifications: 256,
});

/** Why bytes from the network are not a message. */
export type QbftDecodeRejection =
  /** Longer than `maxMessageBytes`. */
  | "oversized"
  /** Empty, or the first byte is not one of the four message codes. */
  | "unknownCode"
  /** Not the message's RLP shape, not canonical, or a field of the wrong size or range. */
  | "malformed"
  /** The block codec does not accept the carried block (or it nests deeper than a block can). */
  | "badBlock"
  /** A justification list is longer than `maxJustifications`. */
  | "tooManyJustifications"
  /** The outer signature recovers to no address. */
  | "badSignature";

/** A decoded message with its recovered author, or why the bytes were rejected. */
export type QbftDecoded =
  | { readonly ok: true; readonly message: QbftMessage; readonly author: Uint8Array }
  | { readonly ok: false; readonly reason: QbftDecodeRejection };

/** A block's RLP is a few lists deep (block, header/transactions, access lists); never 16. */
const MAX_BLOCK_DEPTH = 16;
/** Besu reads sequence with `readLongScalar` and round with `readIntScalar`. */
const MAX_SEQUENCE = (1n << 63n) - 1n;
const MAX_ROUND = 0x7fffffff;

type Read<T> = T | QbftDecodeRejection;

function failed<T>(value: Read<T>): value is QbftDecodeRejection {
  return typeof value === "string";
}

class Reader {
  readonly bytes: Uint8Array;
  readonly codec: QbftBlockCodec;
  readonly crypto: QbftCrypto;
  readonly limits: QbftDecodeLimits;

  constructor(
    bytes: Uint8Array,
    codec: QbftBlockCodec,
    crypto: QbftCrypto,
    limits: QbftDecodeLimits,
  ) {
    this.bytes = bytes;
    this.codec = codec;
    this.crypto = crypto;
    this.limits = limits;
  }

  heightAndRound(fields: RlpSpan[]): Read<{ height: bigint; round: number }> {
    const height = readRlpUint(this.bytes, fields[0] as RlpSpan, 8);
    const round = readRlpUint(this.bytes, fields[1] as RlpSpan, 4);
    if (height === undefined || height > MAX_SEQUENCE) return "malformed";
    if (round === undefined || round > MAX_ROUND) return "malformed";
    return { height, round: Number(round) };
  }

  block(span: RlpSpan): Read<QbftBlock> {
    if (!span.list || !isShallowRlp(this.bytes, span, MAX_BLOCK_DEPTH)) return "badBlock";
    let block: QbftBlock | undefined;
    try {
      block = this.codec.decode(this.bytes.slice(span.from, span.end));
    } catch {
      // The codec's contract is to answer undefined; a throwing adapter must not crash intake.
      block = undefined;
    }
    return block ?? "badBlock";
  }

  digest(span: RlpSpan): Read<Uint8Array> {
    return readRlpBytes(this.bytes, span, 32) ?? "malformed";
  }

  proposalPayload(span: RlpSpan): Read<QbftProposalPayload> {
    const fields = readRlpTuple(this.bytes, span, 3);
    if (fields === undefined) return "malformed";
    const head = this.heightAndRound(fields);
    if (failed(head)) return head;
    const block = this.block(fields[2] as RlpSpan);
    return failed(block) ? block : { type: "proposal", ...head, block };
  }

  preparePayload(span: RlpSpan): Read<QbftPreparePayload> {
    const fields = readRlpTuple(this.bytes, span, 3);
    if (fields === undefined) return "malformed";
    const head = this.heightAndRound(fields);
    if (failed(head)) return head;
    const digest = this.digest(fields[2] as RlpSpan);
    return failed(digest) ? digest : { type: "prepare", ...head, digest };
  }

  commitPayload(span: RlpSpan): Read<QbftCommitPayload> {
    const fields = readRlpTuple(this.bytes, span, 4);
    if (fields === undefined) return "malformed";
    const head = this.heightAndRound(fields);
    if (failed(head)) return head;
    const digest = this.digest(fields[2] as RlpSpan);
    if (failed(digest)) return digest;
    const commitSeal = readRlpBytes(this.bytes, fields[3] as RlpSpan, 65);
    return commitSeal === undefined ? "malformed" : { type: "commit", ...head, digest, commitSeal };
  }

  roundChangePayload(span: RlpSpan): Read<QbftRoundChangePayload> {
    const fields = readRlpTuple(this.bytes, span, 3);
    if (fields === undefined) return "malformed";
    const head = this.heightAndRound(fields);
    if (failed(head)) return head;
    const metadata = readRlpList(this.bytes, fields[2] as RlpSpan, 2);
    if (metadata === undefined || metadata.length === 1) return "malformed";
    let prepared: QbftPreparedMetadata | undefined;
    if (metadata.length === 2) {
      const round = readRlpUint(this.bytes, metadata[0] as RlpSpan, 4);
      const digest = this.digest(metadata[1] as RlpSpan);
      if (round === undefined || round > MAX_ROUND || failed(digest)) return "malformed";
      prepared = { round: Number(round), digest };
    }
    return { type: "roundChange", ...head, prepared };
  }

  signed<P extends QbftPayload>(
    span: RlpSpan,
    type: P["type"],
    payloadOf: (payload: RlpSpan) => Read<P>,
  ): Read<QbftSigned<P>> {
    const parts = readRlpTuple(this.bytes, span, 2);
    if (parts === undefined) return "malformed";
    const [payloadSpan, signatureSpan] = parts as [RlpSpan, RlpSpan];
    if (!payloadSpan.list) return "malformed";
    const signature = readRlpBytes(this.bytes, signatureSpan, 65);
    if (signature === undefined) return "malformed";
    const payload = payloadOf(payloadSpan);
    if (failed(payload)) return payload;
    return {
      payload,
      signature,
      signingHash: qbftSigningHash(type, rlpRaw(this.bytes, payloadSpan), this.crypto),
      encoded: this.bytes.slice(span.from, span.end),
    };
  }

  signedList<P extends QbftPayload>(
    span: RlpSpan,
    type: P["type"],
    payloadOf: (payload: RlpSpan) => Read<P>,
  ): Read<QbftSigned<P>[]> {
    const items = readRlpList(this.bytes, span, this.limits.maxJustifications + 1);
    if (items === undefined) return "malformed";
    if (items.length > this.limits.maxJustifications) return "tooManyJustifications";
    const out: QbftSigned<P>[] = [];
    for (const item of items) {
      const signed = this.signed(item, type, payloadOf);
      if (failed(signed)) return signed;
      out.push(signed);
    }
    return out;
  }

  prepares(span: RlpSpan): Read<QbftSigned<QbftPreparePayload>[]> {
    return this.signedList(span, "prepare", (s) => this.preparePayload(s));
  }

  message(code: number, root: RlpSpan): Read<QbftMessage> {
    switch (code) {
      case QBFT_MESSAGE_CODES.prepare: {
        const signed = this.signed(root, "prepare", (s) => this.preparePayload(s));
        return failed(signed) ? signed : { type: "prepare", signed };
      }
      case QBFT_MESSAGE_CODES.commit: {
        const signed = this.signed(root, "commit", (s) => this.commitPayload(s));
        return failed(signed) ? signed : { type: "commit", signed };
      }
      case QBFT_MESSAGE_CODES.proposal:
        return this.proposal(root);
      default:
        return this.roundChange(root);
    }
  }

  proposal(root: RlpSpan): Read<QbftMessage> {
    const parts = readRlpTuple(this.bytes, root, 2);
    if (parts === undefined) return "malformed";
    const lists = readRlpTuple(this.bytes, parts[1] as RlpSpan, 2);
    if (lists === undefined) return "malformed";
    const roundChanges = this.signedList(lists[0] as RlpSpan, "roundChange", (s) =>
      this.roundChangePayload(s),
    );
    if (failed(roundChanges)) return roundChanges;
    const prepares = this.prepares(lists[1] as RlpSpan);
    if (failed(prepares)) return prepares;
    const signed = this.signed(parts[0] as RlpSpan, "proposal", (s) => this.proposalPayload(s));
    return failed(signed) ? signed : { type: "proposal", signed, roundChanges, prepares };
  }

  roundChange(root: RlpSpan): Read<QbftMessage> {
    const parts = readRlpTuple(this.bytes, root, 3);
    if (parts === undefined) return "malformed";
    const [signedSpan, blockSpan, preparesSpan] = parts as [RlpSpan, RlpSpan, RlpSpan];
    const prepares = this.prepares(preparesSpan);
    if (failed(prepares)) return prepares;
    const signed = this.signed(signedSpan, "roundChange", (s) => this.roundChangePayload(s));
    if (failed(signed)) return signed;
    if (!blockSpan.list) return "malformed";
    if (blockSpan.start === blockSpan.end) {
      return { type: "roundChange", signed, preparedBlock: undefined, prepares };
    }
    const preparedBlock = this.block(blockSpan);
    return failed(preparedBlock)
      ? preparedBlock
      : { type: "roundChange", signed, preparedBlock, prepares };
  }
}

/**
 * Decodes network bytes into a typed message and recovers its author (the outer signature
 * only: justification entries are recovered by the rules, after the cheap checks). Never
 * throws: anything that is not a well-formed, canonical message of this chain is a typed
 * rejection. The code byte picks the shape; the shapes are Besu's (see
 * {@link encodeQbftMessage}), except that Besu 26.1's block-access-list slot is refused, and
 * a carried block must be an RLP list no deeper than 16 before the codec sees it.
 *
 * @example
 * ```ts
 * const decoded = decodeQbftMessage(bytes, codec, crypto);
 * if (!decoded.ok) drop(decoded.reason);
 * else handle(decoded.message, decoded.author);
 * ```
 */
export function decodeQbftMessage(
  bytes: Uint8Array,
  codec: QbftBlockCodec,
  crypto: QbftCrypto,
  limits: QbftDecodeLimits = defaultQbftDecodeLimits,
): QbftDecoded {
  if (bytes.length > limits.maxMessageBytes) return { ok: false, reason: "oversized" };
  const code = bytes[0];
  if (
    code === undefined ||
    code < QBFT_MESSAGE_CODES.proposal ||
    code > QBFT_MESSAGE_CODES.roundChange
  ) {
    return { ok: false, reason: "unknownCode" };
  }
  const root = readRlpRoot(bytes, 1);
  if (root === undefined || !root.list) return { ok: false, reason: "malformed" };
  const message = new Reader(bytes, codec, crypto, limits).message(code, root);
  if (failed(message)) return { ok: false, reason: message };
  const author = recoverQbftAuthor(message.signed, crypto);
  return author === undefined
    ? { ok: false, reason: "badSignature" }
    : { ok: true, message, author };
}
