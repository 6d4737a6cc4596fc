import {
  encodeQbftMessage,
  type QbftBlock,
  type QbftCrypto,
  type QbftMessage,
  type QbftPreparePayload,
  type QbftRoundChangePayload,
  type QbftSigned,
  type QbftSigner,
  signQbftPayload,
} from "../core/index.ts";

/** A message and its wire bytes. */
export interface Wire<M extends QbftMessage = QbftMessage> {
  readonly message: M;
  readonly bytes: Uint8Array;
}

function wire<M extends QbftMessage>(message: M): Wire<M> {
  return { message, bytes: encodeQbftMessage(message) };
}

/**
 * Builds signed messages by hand: for tests that play a validator (honest or not), and for
 * the simulator's Byzantine validators, which sign with their own key only.
 *
 * @example
 * ```ts
 * const make = qbftMessageMaker(toy.crypto);
 * const { bytes } = make.prepare(signer, 1n, 0, digest);
 * ```
 */
export function qbftMessageMaker(crypto: QbftCrypto) {
  const prepareSigned = (
    signer: QbftSigner,
    height: bigint,
    round: number,
    digest: Uint8Array,
  ): QbftSigned<QbftPreparePayload> =>
    signQbftPayload({ type: "prepare", height, round, digest }, signer, crypto);
  const roundChangeSigned = (
    signer: QbftSigner,
    height: bigint,
    round: number,
    prepared?: { round: number; digest: Uint8Array },
  ): QbftSigned<QbftRoundChangePayload> =>
    signQbftPayload({ type: "roundChange", height, round, prepared }, signer, crypto);
  return {
    prepareSigned,
    roundChangeSigned,
    prepare: (signer: QbftSigner, height: bigint, round: number, digest: Uint8Array) =>
      wire({ type: "prepare", signed: prepareSigned(signer, height, round, digest) }),
    commit: (
      signer: QbftSigner,
      height: bigint,
      round: number,
      digest: Uint8Array,
      seal: Uint8Array = signer.sign(digest),
    ) =>
      wire({
        type: "commit",
        signed: signQbftPayload(
          { type: "commit", height, round, digest, commitSeal: seal },
          signer,
          crypto,
        ),
      }),
    roundChange: (
      signer: QbftSigner,
      height: bigint,
      round: number,
      certificate?: {
        readonly block: QbftBlock;
        readonly prepares: readonly QbftSigned<QbftPreparePayload>[];
      },
    ) =>
      wire({
        type: "roundChange",
        signed: roundChangeSigned(
          signer,
          height,
          round,
          certificate === undefined
            ? undefined
            : { round: certificate.block.round, digest: certificate.block.digest },
        ),
        preparedBlock: certificate?.block,
        prepares: certificate?.prepares ?? [],
      }),
    proposal: (
      signer: QbftSigner,
      block: QbftBlock,
      roundChanges: readonly QbftSigned<QbftRoundChangePayload>[] = [],
      prepares: readonly QbftSigned<QbftPreparePayload>[] = [],
    ) =>
      wire({
        type: "proposal",
        signed: signQbftPayload(
          { type: "proposal", height: block.height, round: block.round, block },
          signer,
          crypto,
        ),
        roundChanges,
        prepares,
      }),
  };
}
