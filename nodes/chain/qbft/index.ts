/**
 * Besu-compatible QBFT blocks: extraData, the on-chain and commit-seal hashes, commit seals,
 * seal verification, the genesis validator set, and the adapter the consensus core uses.
 * Internal entry of nodes/chain; nodes/chain/index.ts re-exports it.
 *
 * @packageDocumentation
 */
export { buildQbftBlock, type QbftBuildOptions } from "./buildQbftBlock.ts";
export {
  createQbftBlockCodec,
  type EthereumQbftBlockCodec,
} from "./createQbftBlockCodec.ts";
export { createQbftSigner } from "./createQbftSigner.ts";
export { createSecp256k1QbftCrypto } from "./createSecp256k1QbftCrypto.ts";
export { decodeBlockHeader } from "./decodeBlockHeader.ts";
export { decodeQbftExtraData } from "./decodeQbftExtraData.ts";
export { encodeQbftExtraData } from "./encodeQbftExtraData.ts";
export { headerFromFields } from "./headerFromFields.ts";
export { headerFromRpc } from "./headerFromRpc.ts";
export {
  type InspectedSeal,
  inspectQbftHeader,
  type QbftHeaderInspection,
} from "./inspectQbftHeader.ts";
export {
  QBFT_ADDRESS_LENGTH,
  QBFT_MAX_ROUND,
  QBFT_SEAL_LENGTH,
  QBFT_VANITY_LENGTH,
  type QbftExtraData,
  type QbftVote,
} from "./QbftExtraData.ts";
export { installQbftBlockHash, qbftBlockHashRule } from "./qbftBlockHashRule.ts";
export { qbftCommitSealHash } from "./qbftCommitSealHash.ts";
export { qbftGenesisExtraData, validatorsOfGenesis } from "./qbftGenesisExtraData.ts";
export { qbftOnchainHash } from "./qbftOnchainHash.ts";
export { recoverCommitters } from "./recoverCommitters.ts";
export { sealExecutedBlock } from "./sealExecutedBlock.ts";
export { sealBlock, sealHeader } from "./sealHeader.ts";
export { addressOfPrivateKey } from "./secp256k1Signatures.ts";
export { signCommitSeal } from "./signCommitSeal.ts";
export { sortedValidators } from "./sortedValidators.ts";
export { type EthereumQbftBlock, toQbftBlock } from "./toQbftBlock.ts";
export { verifyProposalHeader, verifySealedHeader } from "./verifySealedHeader.ts";
