export { commitGenesis } from "./commitGenesis.ts";
export {
  createDevGenesis,
  type DevGenesisKeys,
  type DevGenesisOptions,
  type DevHospitalKeys,
  type DevKey,
  defaultDevGenesisOptions,
} from "./createDevGenesis.ts";
export { createQbftHeaderRule, type QbftHeaderRuleOptions } from "./createQbftHeaderRule.ts";
export { createValidatorSetCache, type ValidatorSetCache } from "./createValidatorSetCache.ts";
export { type GenesisState, genesisBlock } from "./genesisBlock.ts";
export {
  DEFAULT_GENESIS_DEPLOYER,
  type GenesisContractAddresses,
  genesisContractAddresses,
} from "./genesisContractAddresses.ts";
export { genesisExtraData } from "./genesisExtraData.ts";
export {
  type Genesis,
  type GenesisOrganisation,
  GenesisOrganisationSchema,
  GenesisSchema,
  genesisRoles,
} from "./genesisSchema.ts";
export { loadGenesisFile, parseGenesis } from "./parseGenesis.ts";
export {
  addressOfPrivateKey,
  buildQbftBlock,
  createQbftBlockCodec,
  createQbftSigner,
  createSecp256k1QbftCrypto,
  decodeBlockHeader,
  decodeQbftExtraData,
  type EthereumQbftBlock,
  type EthereumQbftBlockCodec,
  encodeQbftExtraData,
  headerFromFields,
  headerFromRpc,
  type InspectedSeal,
  inspectQbftHeader,
  installQbftBlockHash,
  QBFT_ADDRESS_LENGTH,
  QBFT_MAX_ROUND,
  QBFT_SEAL_LENGTH,
  QBFT_VANITY_LENGTH,
  type QbftBuildOptions,
  type QbftExtraData,
  type QbftHeaderInspection,
  type QbftVote,
  qbftBlockHashRule,
  qbftCommitSealHash,
  qbftGenesisExtraData,
  qbftOnchainHash,
  recoverCommitters,
  sealBlock,
  sealExecutedBlock,
  sealHeader,
  signCommitSeal,
  sortedValidators,
  toQbftBlock,
  validatorsOfGenesis,
  verifyProposalHeader,
  verifySealedHeader,
} from "./qbft/index.ts";
export { readValidatorHistory, type ValidatorHistory } from "./readValidatorHistory.ts";
export { callConsortium, readValidatorsAt, type StateCall } from "./readValidatorsAt.ts";
