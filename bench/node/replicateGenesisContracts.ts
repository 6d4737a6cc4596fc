/**
 * Deploys Consortium, ConsentRegistry and AccessLedger on a comparison chain (EDR, Ganache)
 * exactly where the Custos dev genesis has them: from the genesis deployer address with
 * nonces 0, 1 and 2, which the chain lets us send from by impersonation. Same bytecode
 * (src/contracts through scripts/deployContracts.ts), same organisations, same addresses —
 * so one signed transaction is valid on every chain.
 */
import { bytesToHex, utf8ToBytes } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { JsonRpcProvider, JsonRpcSigner, ZeroAddress } from "ethers";
import { DEFAULT_GENESIS_DEPLOYER } from "../../nodes/chain/index.ts";
import { deployContracts, type OrganisationInit, Role } from "../../scripts/deployContracts.ts";
import type { ChainSetup } from "./benchChain.ts";

/** Organisation metadata as the dev genesis writes it: keccak of a label. */
function metadata(label: string): string {
  return bytesToHex(keccak_256(utf8ToBytes(label)));
}

/** The dev genesis's organisations, in its order (ids 1..): hospitals, then the others. */
function organisationsOf(setup: ChainSetup): OrganisationInit[] {
  const other = (role: OrganisationInit["role"], label: string, address: string) => ({
    role,
    metadata: metadata(label),
    accounts: [address],
    recorders: [],
    validator: ZeroAddress,
  });
  return [
    ...setup.hospitals.map((h, i) => ({
      role: Role.Hospital,
      metadata: metadata(`hospital-${i + 1}`),
      accounts: [h.account.address],
      recorders: [h.recorder.address],
      validator: h.validator.address,
    })),
    other(Role.Regulator, "regulator", setup.regulator.address),
    other(Role.Researcher, "researcher", setup.researcher.address),
    other(Role.ReviewBoard, "review-board", setup.reviewBoard.address),
  ];
}

/**
 * Deploys the contracts from {@link DEFAULT_GENESIS_DEPLOYER}, which must already be funded
 * and sendable (impersonated) on the chain at `rpcUrl`, and checks that they landed at the
 * setup's addresses. Governance values are the dev genesis's (execution delay 1 block, voting
 * period 100 blocks, one review-board approval); the benchmark's calls do not depend on them.
 *
 * @throws Error if an address differs from the setup's.
 * @example
 * ```ts
 * await replicateGenesisContracts("http://127.0.0.1:8545", setup);
 * ```
 */
export async function replicateGenesisContracts(rpcUrl: string, setup: ChainSetup): Promise<void> {
  const provider = new JsonRpcProvider(rpcUrl, setup.chainId, {
    staticNetwork: true,
    cacheTimeout: -1,
  });
  // Interval-mined chains take a block per deployment: poll receipts often, not every 4 s.
  provider.pollingInterval = 100;
  try {
    // Not provider.getSigner(): an impersonated account is not in eth_accounts.
    const deployer = new JsonRpcSigner(provider, DEFAULT_GENESIS_DEPLOYER);
    const deployed = await deployContracts(deployer, {
      organisations: organisationsOf(setup),
      executionDelay: 1,
      votingPeriod: 100,
      requiredApprovals: 1,
    });
    const got = {
      consortium: await deployed.consortium.getAddress(),
      consentRegistry: await deployed.registry.getAddress(),
      accessLedger: await deployed.ledger.getAddress(),
    };
    for (const [name, address] of Object.entries(got)) {
      const want = setup.contracts[name as keyof typeof got];
      if (address.toLowerCase() !== want.toLowerCase()) {
        throw new Error(`${rpcUrl}: ${name} deployed at ${address}, the genesis has ${want}`);
      }
    }
  } finally {
    provider.destroy();
  }
}
