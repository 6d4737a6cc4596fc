export { checkQbftPrepares } from "./checkQbftPrepares.ts";
export { createQbftState, type QbftStart } from "./createQbftState.ts";
export {
  decodeQbftMessage,
  defaultQbftDecodeLimits,
  type QbftDecoded,
  type QbftDecodeLimits,
  type QbftDecodeRejection,
} from "./decodeQbftMessage.ts";
export { encodeQbftMessage } from "./encodeQbftMessage.ts";
export { encodeQbftPayload, qbftSigningHash } from "./encodeQbftPayload.ts";
export type { QbftBlock, QbftBlockCodec } from "./QbftBlock.ts";
export {
  createQbftConfig,
  defaultQbftBounds,
  type QbftBounds,
  type QbftConfig,
  type QbftConfigOptions,
} from "./QbftConfig.ts";
export type { QbftCrypto, QbftSigner } from "./QbftCrypto.ts";
export { type QbftDropReason, qbftDropIsFault } from "./QbftDropReason.ts";
export type { QbftEffect } from "./QbftEffect.ts";
export type { QbftEvent, QbftHead } from "./QbftEvent.ts";
export { type QbftHeightContext, qbftProposerOf } from "./QbftHeightContext.ts";
export type { QbftInvalidReason } from "./QbftInvalidReason.ts";
export {
  QBFT_MESSAGE_CODES,
  type QbftCommitMessage,
  type QbftCommitPayload,
  type QbftMessage,
  type QbftMessageType,
  type QbftPayload,
  type QbftPreparedMetadata,
  type QbftPrepareMessage,
  type QbftPreparePayload,
  type QbftProposalMessage,
  type QbftProposalPayload,
  type QbftRoundChangeMessage,
  type QbftRoundChangePayload,
  type QbftSigned,
} from "./QbftMessage.ts";
export type { QbftRecordedCertificate, QbftSigningRecord } from "./QbftSigningRecord.ts";
export type { QbftState } from "./QbftState.ts";
export type { QbftStepResult } from "./QbftStepResult.ts";
export { createQbftValidatorSet, type QbftValidatorSet } from "./QbftValidatorSet.ts";
export { qbftMaxFaulty, qbftQuorum } from "./qbftQuorum.ts";
export { qbftRoundSkipTarget } from "./qbftRoundSkipTarget.ts";
export {
  defaultQbftRoundTimeout,
  type QbftRoundTimeoutSettings,
  qbftRoundTimeoutMs,
} from "./qbftRoundTimeout.ts";
export { decodeQbftSigningRecord, encodeQbftSigningRecord } from "./qbftSigningRecordCodec.ts";
export { type QbftStatus, qbftStatus } from "./qbftStatus.ts";
export { qbftStep } from "./qbftStep.ts";
export { recoverQbftAuthor } from "./recoverQbftAuthor.ts";
export { selectQbftProposer } from "./selectQbftProposer.ts";
export { signQbftPayload } from "./signQbftPayload.ts";
export { validateQbftProposal } from "./validateQbftProposal.ts";
export { validateQbftRoundChange } from "./validateQbftRoundChange.ts";
