/**
 * Dev-chain fixtures shared by the state-path tests (db, execution, chain, node) and the
 * benchmarks: a seeded dev genesis, a chain database, signed transactions, ConsentRegistry
 * calls.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { createFeeMarket1559Tx, type FeeMarket1559Tx, type TypedTransaction } from "@ethereumjs/tx";
import { hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { Interface } from "ethers";
import {
  buildQbftBlock,
  commitGenesis,
  createDevGenesis,
  type DevGenesisKeys,
  type Genesis,
  installQbftBlockHash,
  sealExecutedBlock,
  signCommitSeal,
} from "../nodes/chain/index.ts";
import { type ChainDb, createChainDb } from "../nodes/db/index.ts";
import {
  type BuiltBlock,
  type ExecutionEngine,
  installEvmPatches,
} from "../nodes/execution/index.ts";
import { consentRegistryAbi } from "../src/contracts/index.ts";

/** Deterministic key material: keccak of a seed and a counter. */
export function seededRandomBytes(seed: string): (length: number) => Uint8Array {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let offset = 0; offset < length; offset += 32) {
      const block = keccak_256(new TextEncoder().encode(`${seed}:${counter++}`));
      out.set(block.subarray(0, Math.min(32, length - offset)), offset);
    }
    return out;
  };
}

/** A seeded dev genesis with `hospitals` hospitals. */
export function devGenesis(
  hospitals = 4,
  seed = "custos-test",
): { genesis: Genesis; keys: DevGenesisKeys } {
  return createDevGenesis({ hospitals, randomBytes: seededRandomBytes(seed) });
}

/** A temporary directory, removed by the returned cleanup. */
export async function tempDir(
  prefix = "custos-state-",
): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * Opens a chain db in `location` holding `genesis`, with EthereumJS patched as a node runs it
 * (installEvmPatches, and blocks hashed as Besu hashes QBFT blocks: installQbftBlockHash), so
 * tests and benchmarks execute and hash what production does.
 */
export async function openChain(
  location: string,
  genesis: Genesis,
  common: Common,
): Promise<ChainDb> {
  await installEvmPatches();
  installQbftBlockHash();
  const chainDb = await createChainDb({ location, common });
  await commitGenesis(chainDb, genesis);
  return chainDb;
}

/**
 * Builds block `parent + 1` as a dev node's producer does: QBFT extraData listing the genesis
 * validators (no governance changed them), proposed by hospital 1's validator and sealed by
 * every hospital's, so it verifies like a produced block (reindex, `executeBlock` with the
 * QBFT header rule, `custos db check`).
 */
export async function buildSealedBlock(
  engine: Pick<ExecutionEngine, "buildBlock" | "withBlock">,
  parent: Block,
  txs: readonly TypedTransaction[],
  chain: { genesis: Genesis; keys: DevGenesisKeys; timestamp?: bigint },
): Promise<BuiltBlock> {
  const validatorKeys = chain.keys.hospitals.map((h) =>
    hexToBytes(h.validator.privateKey as PrefixedHexString),
  );
  const built = await buildQbftBlock(engine, parent, txs, {
    timestamp: chain.timestamp ?? parent.header.timestamp + 1n,
    coinbase: hexToBytes(chain.keys.hospitals[0]?.validator.address as PrefixedHexString),
    gasLimit: BigInt(chain.genesis.gasLimit),
    validators: chain.genesis.validators.map((v) => hexToBytes(v as PrefixedHexString)),
    round: 0,
  });
  return sealExecutedBlock(
    engine,
    built,
    validatorKeys.map((key) => signCommitSeal(built.block.header, key)),
  );
}

const registry = new Interface(consentRegistryAbi);

/**
 * Calldata of ConsentRegistry.grant for subject number `n` in the records of hospital
 * `custodian` (organisation id; send it from that hospital's recorder, see {@link recorderOf}).
 */
export function grantCalldata(n: number, custodian: number): Uint8Array {
  const subject = keccak_256(new TextEncoder().encode(`subject-${n}`));
  const documentHash = keccak_256(new TextEncoder().encode(`document-${n}`));
  return hexToBytes(
    registry.encodeFunctionData("grant", [
      custodian,
      subject,
      [1, 1, 0, 0],
      documentHash,
    ]) as PrefixedHexString,
  );
}

/** Calldata of ConsentRegistry.batchGrant for subjects first..first+count-1 of `custodian`. */
export function batchGrantCalldata(first: number, count: number, custodian: number): Uint8Array {
  const subjects: Uint8Array[] = [];
  const documents: Uint8Array[] = [];
  for (let i = first; i < first + count; i++) {
    subjects.push(keccak_256(new TextEncoder().encode(`subject-${i}`)));
    documents.push(keccak_256(new TextEncoder().encode(`document-${i}`)));
  }
  return hexToBytes(
    registry.encodeFunctionData("batchGrant", [
      custodian,
      subjects,
      [1, 1, 0, 0],
      documents,
    ]) as PrefixedHexString,
  );
}

/**
 * The consent recorder key of dev hospital `index` (from 0) and the custodian id its records
 * are kept under (its organisation id, `index + 1`).
 */
export function recorderOf(
  keys: DevGenesisKeys,
  index: number,
): { address: string; privateKey: string; custodian: number } {
  const hospital = keys.hospitals[index];
  if (hospital === undefined) throw new Error(`the dev genesis has no hospital ${index}`);
  return { ...hospital.recorder, custodian: index + 1 };
}

/** Decodes ConsentRegistry's `consentOf`-style view results and builds calls. */
export const registryInterface = registry;

/** A signed EIP-1559 transaction. */
export function signedTx(
  common: Common,
  privateKey: string,
  fields: { nonce: bigint; to?: string; data?: Uint8Array; value?: bigint; gasLimit?: bigint },
): FeeMarket1559Tx {
  return createFeeMarket1559Tx(
    {
      nonce: fields.nonce,
      ...(fields.to === undefined ? {} : { to: fields.to as PrefixedHexString }),
      data: fields.data ?? new Uint8Array(0),
      value: fields.value ?? 0n,
      gasLimit: fields.gasLimit ?? 21_000n,
      maxFeePerGas: 10_000_000_000n,
      maxPriorityFeePerGas: 1n,
      chainId: common.chainId(),
    },
    { common },
  ).sign(hexToBytes(privateKey as PrefixedHexString));
}
