export { commitGenesis } from "./commitGenesis.ts";
export {
  createDevGenesis,
  type DevGenesisKeys,
  type DevGenesisOptions,
  type DevHospitalKeys,
  type DevKey,
  defaultDevGenesisOptions,
} from "./createDevGenesis.ts";
export { type GenesisState, genesisBlock } from "./genesisBlock.ts";
export {
  DEFAULT_GENESIS_DEPLOYER,
  type GenesisContractAddresses,
  genesisContractAddresses,
} from "./genesisContractAddresses.ts";
export {
  type Genesis,
  type GenesisOrganisation,
  GenesisOrganisationSchema,
  GenesisSchema,
  genesisRoles,
} from "./genesisSchema.ts";
export { loadGenesisFile, parseGenesis } from "./parseGenesis.ts";
