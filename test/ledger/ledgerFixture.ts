import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { id, keccak256, toUtf8Bytes, ZeroAddress } from "ethers";
import hre from "hardhat";
import { expect } from "vitest";
import { deployContracts, Role } from "../../scripts/deployContracts.ts";
import type { Bytes32 } from "../../src/consent/index.ts";
import type { ErrorCode } from "../../src/errors/index.ts";
import {
  createAccessLedgerClient,
  createConsentRegistryClient,
  createConsortiumClient,
} from "../../src/ledger/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

/** Organisation ids of the fixture consortium. */
export const ORG = {
  hospitalA: 1,
  hospitalB: 2,
  researcher: 3,
  reviewBoard: 4,
  regulator: 5,
} as const;

/** A deterministic subject pseudonym for a label. */
export const subject = (label: string): Bytes32 =>
  keccak256(toUtf8Bytes(`subject:${label}`)) as Bytes32;
/** A deterministic document hash for a label. */
export const doc = (label: string): Bytes32 =>
  keccak256(toUtf8Bytes(`document:${label}`)) as Bytes32;

/** One Hardhat network connection per test file. */
export async function connectLedger() {
  const connection = await hre.network.connect();
  const { ethers } = connection;
  const signers = await ethers.getSigners();
  const at = (i: number): HardhatEthersSigner => {
    const signer = signers[i];
    if (signer === undefined) throw new Error(`no signer ${i}`);
    return signer;
  };
  const accounts = {
    deployer: at(0),
    /** Hospital A's admin account (governs, sets ε limits; cannot record). */
    hospitalA: at(1),
    /** Hospital B's admin account. */
    hospitalB: at(2),
    researcher: at(3),
    reviewBoard: at(4),
    regulator: at(5),
    outsider: at(6),
    relayer: at(7),
    patient: at(8),
    delegate: at(9),
    spare: at(10),
    /** Hospital A's consent recorder (records consents and query answers, nothing else). */
    recorderA: at(11),
    /** Hospital B's consent recorder. */
    recorderB: at(12),
    /** A never-bound address for recorder tests. */
    spareRecorder: at(13),
  };

  /**
   * Deploys a fresh contract stack and returns clients bound to every account. Each hospital
   * has one admin account and one recorder (disjoint, as Consortium requires); the review
   * board is registered with the consortium, so AccessLedger's one required approval is
   * within the number of boards.
   */
  async function deploy(options: { executionDelay?: number; votingPeriod?: number } = {}) {
    const organisations = [
      {
        role: Role.Hospital,
        metadata: id("Hospital A"),
        accounts: [accounts.hospitalA.address],
        recorders: [accounts.recorderA.address],
        validator: at(15).address,
      },
      {
        role: Role.Hospital,
        metadata: id("Hospital B"),
        accounts: [accounts.hospitalB.address],
        recorders: [accounts.recorderB.address],
        validator: at(16).address,
      },
      {
        role: Role.Researcher,
        metadata: id("Researchers"),
        accounts: [accounts.researcher.address],
        recorders: [],
        validator: ZeroAddress,
      },
      {
        role: Role.ReviewBoard,
        metadata: id("Review board"),
        accounts: [accounts.reviewBoard.address],
        recorders: [],
        validator: ZeroAddress,
      },
      {
        role: Role.Regulator,
        metadata: id("Regulator"),
        accounts: [accounts.regulator.address],
        recorders: [],
        validator: ZeroAddress,
      },
    ];
    const deployed = await deployContracts(accounts.deployer, {
      organisations,
      executionDelay: options.executionDelay ?? 1,
      votingPeriod: options.votingPeriod ?? 100,
      requiredApprovals: 1,
    });
    const addresses = {
      consortium: await deployed.consortium.getAddress(),
      registry: await deployed.registry.getAddress(),
      ledger: await deployed.ledger.getAddress(),
    };
    return {
      addresses,
      /** A registry client scoped to `custodian` (default hospital A). */
      registry: (
        runner: HardhatEthersSigner | typeof ethers.provider,
        custodian: number = ORG.hospitalA,
      ) => createConsentRegistryClient({ address: addresses.registry, runner, custodian }),
      ledger: (runner: HardhatEthersSigner | typeof ethers.provider) =>
        createAccessLedgerClient({ address: addresses.ledger, runner }),
      consortium: (runner: HardhatEthersSigner | typeof ethers.provider) =>
        createConsortiumClient({ address: addresses.consortium, runner }),
    };
  }

  /** Timestamp of the latest block. */
  async function now(): Promise<number> {
    const block = await ethers.provider.getBlock("latest");
    if (block === null) throw new Error("no latest block");
    return block.timestamp;
  }

  /** Moves the chain's clock forward and mines a block. */
  async function advance(seconds: number): Promise<void> {
    await ethers.provider.send("evm_increaseTime", [seconds]);
    await ethers.provider.send("evm_mine", []);
  }

  return { connection, ethers, accounts, deploy, now, advance };
}

/**
 * Asserts that `action` rejects with a CustosError of `code` (see {@link expectCustosError})
 * and, when given, the contract error name, arguments and inner reason in its details;
 * returns the error for further checks.
 */
export async function expectLedgerError(
  action: Promise<unknown>,
  code: ErrorCode,
  expected: { error?: string; args?: Record<string, unknown>; reason?: string } = {},
) {
  const error = await expectCustosError(action, code);
  const details = error.details as { error?: string; args?: unknown; reason?: string };
  if (expected.error !== undefined) expect(details.error).toBe(expected.error);
  if (expected.args !== undefined) expect(details.args).toEqual(expected.args);
  if (expected.reason !== undefined) expect(details.reason).toBe(expected.reason);
  return error;
}
