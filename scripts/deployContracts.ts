/**
 * Deploys Consortium, ConsentRegistry and AccessLedger from the SDK's generated bindings
 * (src/contracts), so the demo, the gas benchmark and deployment scripts share one path and
 * need no Hardhat artifacts.
 */
import { Contract, ContractFactory, type Signer } from "ethers";
import {
  accessLedgerAbi,
  accessLedgerBytecode,
  consentRegistryAbi,
  consentRegistryBytecode,
  consortiumAbi,
  consortiumBytecode,
} from "../src/contracts/index.ts";

/** Roles as Consortium's `IConsortium.Role` enum numbers them. */
export const Role = { Hospital: 1, Regulator: 2, Researcher: 3, ReviewBoard: 4 } as const;

/**
 * One bootstrap organisation (Consortium's `OrganisationInit`). Every address is bound once:
 * `accounts` are admin accounts (govern, vote, act for the organisation in AccessLedger),
 * `recorders` a hospital's consent recorders (record consents and query results only); the
 * two are disjoint and no address is in two organisations.
 */
export interface OrganisationInit {
  readonly role: (typeof Role)[keyof typeof Role];
  readonly metadata: string;
  /** Admin accounts (at least one). */
  readonly accounts: readonly string[];
  /** Hospitals only: consent recorders, none of them among `accounts`; others: empty. */
  readonly recorders: readonly string[];
  /** Hospitals only: the validator; others: the zero address. */
  readonly validator: string;
}

/** What to deploy. */
export interface DeployContractsOptions {
  /** Bootstrap organisations, ids 1.. in this order. */
  readonly organisations: readonly OrganisationInit[];
  /** Blocks between a proposal and its earliest execution. */
  readonly executionDelay: number;
  /** Blocks a proposal stays open. */
  readonly votingPeriod: number;
  /**
   * Review-board approvals a query needs: 1 to the review-board organisations among
   * `organisations` (AccessLedger's constructor refuses more).
   */
  readonly requiredApprovals: number;
}

/** The deployed contracts, connected to the deployer. */
export interface DeployedContracts {
  readonly consortium: Contract;
  readonly registry: Contract;
  readonly ledger: Contract;
}

async function deployOne(
  deployer: Signer,
  abi: ConstructorParameters<typeof ContractFactory>[0],
  bytecode: string,
  args: readonly unknown[],
): Promise<Contract> {
  const contract = await new ContractFactory(abi, bytecode, deployer).deploy(...args);
  await contract.waitForDeployment();
  return new Contract(await contract.getAddress(), abi, deployer);
}

/**
 * Deploys the three contracts in dependency order and waits for each: Consortium first, so
 * its review boards exist when AccessLedger's constructor checks `requiredApprovals`.
 *
 * @example
 * ```ts
 * const { registry } = await deployContracts(deployer, { organisations, executionDelay: 1, votingPeriod: 1000, requiredApprovals: 1 });
 * ```
 */
export async function deployContracts(
  deployer: Signer,
  options: DeployContractsOptions,
): Promise<DeployedContracts> {
  const consortium = await deployOne(deployer, consortiumAbi, consortiumBytecode, [
    options.organisations,
    options.executionDelay,
    options.votingPeriod,
  ]);
  const address = await consortium.getAddress();
  const registry = await deployOne(deployer, consentRegistryAbi, consentRegistryBytecode, [
    address,
  ]);
  const ledger = await deployOne(deployer, accessLedgerAbi, accessLedgerBytecode, [
    address,
    options.requiredApprovals,
  ]);
  return { consortium, registry, ledger };
}
