import {
  bytesToHex,
  createAddressFromString,
  generateAddress,
  intToUnpaddedBytes,
} from "@ethereumjs/util";

/** Where the genesis contracts live, as checksum-free lowercase hex. */
export interface GenesisContractAddresses {
  readonly deployer: string;
  readonly consortium: string;
  readonly consentRegistry: string;
  readonly accessLedger: string;
}

/**
 * The default genesis deployer: a fixed address with no known key, used only as the CREATE
 * origin of the genesis contracts (it keeps nonce 3 in the genesis state as provenance).
 */
export const DEFAULT_GENESIS_DEPLOYER = "0x00000000000000000000000000000000c0570500";

/**
 * The CREATE addresses of Consortium, ConsentRegistry and AccessLedger deployed from
 * `deployer` with nonces 0, 1 and 2.
 *
 * @example
 * ```ts
 * const { consortium } = genesisContractAddresses(DEFAULT_GENESIS_DEPLOYER);
 * ```
 */
export function genesisContractAddresses(deployer: string): GenesisContractAddresses {
  const from = createAddressFromString(deployer).bytes;
  const at = (nonce: number) =>
    bytesToHex(generateAddress(from, nonce === 0 ? new Uint8Array(0) : intToUnpaddedBytes(nonce)));
  return {
    deployer: deployer.toLowerCase(),
    consortium: at(0),
    consentRegistry: at(1),
    accessLedger: at(2),
  };
}
