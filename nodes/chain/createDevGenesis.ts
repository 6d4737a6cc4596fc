import { randomBytes as nodeRandomBytes } from "node:crypto";
import { bytesToHex, createAddressFromPrivateKey, utf8ToBytes } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { CustosError } from "../../src/errors/index.ts";
import { DEFAULT_GENESIS_DEPLOYER, genesisContractAddresses } from "./genesisContractAddresses.ts";
import { genesisExtraData } from "./genesisExtraData.ts";
import type { Genesis, GenesisOrganisation } from "./genesisSchema.ts";
import { parseGenesis } from "./parseGenesis.ts";

/** Options of {@link createDevGenesis}. */
export interface DevGenesisOptions {
  /** Number of hospitals (each: an admin account, a consent recorder and a validator). */
  readonly hospitals?: number;
  readonly chainId?: number;
  /** Block gas limit. */
  readonly gasLimit?: number;
  /** Seconds between blocks. */
  readonly blockPeriodSeconds?: number;
  /**
   * Observer node keys to generate (default 0): each is an account of the regulator's
   * organisation, so the network admits it as a peer; unfunded.
   */
  readonly observers?: number;
  /** Source of key material (default node:crypto; inject a seeded one in tests). */
  readonly randomBytes?: (length: number) => Uint8Array;
}

/** Defaults of {@link DevGenesisOptions} and of the dev network's parameters. */
export const defaultDevGenesisOptions = {
  hospitals: 4,
  chainId: 4242,
  /**
   * What the node executes in under half of a 1 s period on the slowest common work measured
   * here (a tight JUMP loop, ~70 Mgas/s: 0.43 s; ~450 grant calls or ~1,100 batched
   * consents). Sized to the period, not to throughput: a validator must execute any block
   * another proposes before the next one is due (docs/node.md, "Gas limits").
   */
  gasLimit: 30_000_000,
  blockPeriodSeconds: 1,
  baseFeePerGas: "1000000000",
  /** 1,000,000 ether per funded account (admin accounts and recorders). */
  balance: (10n ** 24n).toString(),
} as const;

/** A generated key. */
export interface DevKey {
  readonly address: string;
  readonly privateKey: string;
}

/**
 * A dev hospital's keys: its admin `account` (governance, budgets, AccessLedger on the
 * hospital's behalf), its consent `recorder` (records consents and query results) and its
 * `validator` (signs blocks; holds no funds). Hospital i (from 0) has organisation id i + 1.
 */
export interface DevHospitalKeys {
  readonly account: DevKey;
  readonly recorder: DevKey;
  readonly validator: DevKey;
}

/** The keys of a dev genesis, by organisation. */
export interface DevGenesisKeys {
  readonly hospitals: readonly DevHospitalKeys[];
  readonly regulator: DevKey;
  readonly researcher: DevKey;
  readonly reviewBoard: DevKey;
  /** Node keys of observers (regulator accounts); absent when none were asked for. */
  readonly observers?: readonly DevKey[];
}

function newKey(randomBytes: (length: number) => Uint8Array): DevKey {
  const privateKey = randomBytes(32);
  return {
    address: createAddressFromPrivateKey(privateKey).toString(),
    privateKey: bytesToHex(privateKey),
  };
}

function metadata(name: string): string {
  return bytesToHex(keccak_256(utf8ToBytes(name)));
}

/**
 * Generates a development genesis: N hospitals (organisation ids 1..N, each with an admin
 * account, a separate consent recorder and a validator key), then one regulator (N + 1), one
 * researcher (N + 2) and one review board (N + 3); admin accounts and recorders funded,
 * validators not; block 0's extraData lists the validators as a Besu QBFT genesis does; one
 * review-board approval per query; contracts from the default deployer.
 * The keys are returned separately: write them to a private file.
 *
 * @throws CustosError `INVALID_ARGUMENT` for a hospital count outside 1..64 or an observer
 *   count outside 0..64.
 * @example
 * ```ts
 * const { genesis, keys } = createDevGenesis({ hospitals: 4 });
 * ```
 */
export function createDevGenesis(options: DevGenesisOptions = {}): {
  genesis: Genesis;
  keys: DevGenesisKeys;
} {
  const count = options.hospitals ?? defaultDevGenesisOptions.hospitals;
  if (!Number.isInteger(count) || count < 1 || count > 64) {
    throw new CustosError("INVALID_ARGUMENT", "hospitals must be an integer from 1 to 64", {
      details: { field: "hospitals" },
    });
  }
  const random = options.randomBytes ?? ((n: number) => new Uint8Array(nodeRandomBytes(n)));
  const hospitals: DevHospitalKeys[] = Array.from({ length: count }, () => ({
    account: newKey(random),
    recorder: newKey(random),
    validator: newKey(random),
  }));
  const regulator = newKey(random);
  const researcher = newKey(random);
  const reviewBoard = newKey(random);
  const observerCount = options.observers ?? 0;
  if (!Number.isInteger(observerCount) || observerCount < 0 || observerCount > 64) {
    throw new CustosError("INVALID_ARGUMENT", "observers must be an integer from 0 to 64", {
      details: { field: "observers" },
    });
  }
  const observers = Array.from({ length: observerCount }, () => newKey(random));
  const organisations: GenesisOrganisation[] = [
    ...hospitals.map((h, i) => ({
      role: "hospital" as const,
      metadata: metadata(`hospital-${i + 1}`),
      accounts: [h.account.address],
      recorders: [h.recorder.address],
      validator: h.validator.address,
    })),
    {
      role: "regulator",
      metadata: metadata("regulator"),
      accounts: [regulator.address, ...observers.map((o) => o.address)],
      recorders: [],
    },
    {
      role: "researcher",
      metadata: metadata("researcher"),
      accounts: [researcher.address],
      recorders: [],
    },
    {
      role: "reviewBoard",
      metadata: metadata("review-board"),
      accounts: [reviewBoard.address],
      recorders: [],
    },
  ];
  const funded = [
    ...hospitals.flatMap((h) => [h.account, h.recorder]),
    regulator,
    researcher,
    reviewBoard,
  ];
  const validators = hospitals.map((h) => h.validator.address);
  const genesis = parseGenesis({
    chainId: options.chainId ?? defaultDevGenesisOptions.chainId,
    gasLimit: options.gasLimit ?? defaultDevGenesisOptions.gasLimit,
    blockPeriodSeconds: options.blockPeriodSeconds ?? defaultDevGenesisOptions.blockPeriodSeconds,
    timestamp: 0,
    baseFeePerGas: defaultDevGenesisOptions.baseFeePerGas,
    validators,
    extraData: bytesToHex(genesisExtraData({ validators })),
    governance: { executionDelay: 1, votingPeriod: 100, requiredApprovals: 1 },
    organisations,
    alloc: Object.fromEntries(
      funded.map((k) => [k.address, { balance: defaultDevGenesisOptions.balance }]),
    ),
    contracts: genesisContractAddresses(DEFAULT_GENESIS_DEPLOYER),
  });
  return {
    genesis,
    keys: {
      hospitals,
      regulator,
      researcher,
      reviewBoard,
      ...(observerCount === 0 ? {} : { observers }),
    },
  };
}
