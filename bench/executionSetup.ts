/**
 * What bench/execution.ts and its per-node worker threads (bench/executionNode.ts) share: the
 * seeded dev genesis and the engine settings compared.
 */
import { createDevGenesis } from "../nodes/chain/index.ts";
import { createConsentRegistryAccelerator } from "../nodes/execution/accelerate/index.ts";
import {
  createCustosCommon,
  type ExecutionEngineOptions,
  RecoveredKeyMemo,
} from "../nodes/execution/index.ts";
import { seededRandomBytes } from "../scripts/chainFixtures.ts";

/** Hospitals (recorder accounts) of the benchmark genesis. */
export const HOSPITALS = 50;

/** The benchmark's genesis and keys (seeded: every thread derives the same). */
export const { genesis, keys } = createDevGenesis({
  hospitals: HOSPITALS,
  // Room for the 1,000-grant blocks this benchmark executes (the dev chain's default, 30 M,
  // is sized for a 1 s period of live traffic, not for measuring execution).
  gasLimit: 250_000_000,
  randomBytes: seededRandomBytes("bench"),
});

/** Senders recovered ahead of execution, shared by the benchmark chain's Common and engines. */
const recoveredKeys = new RecoveredKeyMemo();

/** The benchmark chain's Common. */
export const common = createCustosCommon({ chainId: BigInt(genesis.chainId), recoveredKeys });

/** One engine configuration: its options and whether the fast interpreter loop is on. */
export interface Variant {
  readonly engine: Omit<ExecutionEngineOptions, "chainDb">;
  readonly fastLoop: boolean;
}

/** Native ConsentRegistry execution (decision 014); each thread makes its own. */
const accelerator = createConsentRegistryAccelerator({
  consentRegistry: genesis.contracts.consentRegistry,
});

/**
 * The settings before decision 014 (`current`: every transaction on the interpreter), the
 * node's settings since (`accelerated`: `current` with the ConsentRegistry accelerator), and
 * the settings before each optimisation of decision 004.
 */
export const variants = {
  current: { engine: { recoveredKeys }, fastLoop: true },
  accelerated: { engine: { recoveredKeys, accelerator }, fastLoop: true },
  merkleStatePath: { engine: { statePath: "merkle", recoveredKeys }, fastLoop: true },
  ethereumjsLoop: { engine: { recoveredKeys }, fastLoop: false },
  mainThreadRecovery: { engine: {}, fastLoop: true },
  before: { engine: { statePath: "merkle" }, fastLoop: false },
} as const satisfies Record<string, Variant>;

/** A variant's name. */
export type VariantName = keyof typeof variants;

/** What a node thread starts from. */
export interface NodeData {
  readonly variant: VariantName;
  /** A chain database directory to copy (a prepared large state) instead of bare genesis. */
  readonly copyFrom?: string;
}

/** A request to a node thread. */
export type NodeRequest =
  | { readonly kind: "build"; readonly txs: readonly Uint8Array[] }
  | { readonly kind: "replay"; readonly block: Uint8Array }
  | { readonly kind: "close" };

/** A node thread's answer: the block (built or replayed) and its timings. */
export interface NodeResponse {
  readonly block: Uint8Array;
  /** Execute + commit, wall-clock. */
  readonly blockMs: number;
  readonly commitMs: number;
  /** Process CPU time (all threads) during execute + commit; the other threads are idle. */
  readonly cpuMs: number;
  /** Decoding the block from RLP (replay only). */
  readonly decodeMs: number;
  /** Why the block is unusable for the benchmark (a rejected or failed transaction). */
  readonly problem?: string;
}
