/**
 * Gas per second the node executes, by workload, to size a block gas limit that fits the
 * block period (docs/node.md, "Gas limits"). Run with
 * `node --max-semi-space-size=64 bench/blockGas.ts` (as `npm run custos` runs the node).
 *
 * Each workload is built into blocks by the execution engine on a fresh dev chain and
 * committed, as the block producer does; the rate is the blocks' gas used over their build +
 * commit time (median over blocks, the first untimed). Workloads: ether transfers, single
 * ConsentRegistry grants, batchGrants of 500, and three contracts made to be slow per gas,
 * each one transaction at the per-transaction cap (2^24): a JUMP loop (the issue's
 * `0x5b600056`), a loop of ECRECOVER precompile calls and a loop of one-pair BN254 pairing
 * checks. Writes bench/results/block-gas.json.
 */
import { writeFile } from "node:fs/promises";
import { availableParallelism, cpus } from "node:os";
import type { Block } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { getBytes, SigningKey } from "ethers";
import { createDevGenesis } from "../nodes/chain/index.ts";
import { createCustosCommon, createExecutionEngine, MAX_TX_GAS } from "../nodes/execution/index.ts";
import {
  batchGrantCalldata,
  grantCalldata,
  openChain,
  recorderOf,
  seededRandomBytes,
  signedTx,
  tempDir,
} from "../scripts/chainFixtures.ts";

const HOSPITALS = 8;
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 4);
const { genesis, keys } = createDevGenesis({
  hospitals: HOSPITALS,
  randomBytes: seededRandomBytes("block-gas"),
});
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
const BLOCK_GAS = 1_000_000_000n;

const hex = (bytes: Uint8Array) => bytesToHex(bytes).slice(2);
const push32 = (value: Uint8Array) => `7f${hex(value)}`;
const word = (n: bigint) =>
  hexToBytes(`0x${n.toString(16).padStart(64, "0")}` as PrefixedHexString);

/**
 * Creation code that writes `input` to memory at 0, then loops for ever on
 * STATICCALL(gas, precompile, 0, input.length, input.length, 32).
 */
function precompileLoop(precompile: number, input: readonly Uint8Array[]): Uint8Array {
  let code = "";
  input.forEach((chunk, i) => {
    code += `${push32(chunk)}61${(i * 32).toString(16).padStart(4, "0")}52`; // PUSH32 v, PUSH2 off, MSTORE
  });
  const loopAt = code.length / 2;
  const size = (input.length * 32).toString(16).padStart(4, "0");
  // The output goes after the input, which must stay intact for the next round.
  code += `5b6020${`61${size}`}${`61${size}`}6000${`60${precompile.toString(16).padStart(2, "0")}`}5afa50`;
  code += `61${loopAt.toString(16).padStart(4, "0")}56`;
  return hexToBytes(`0x${code}` as PrefixedHexString);
}

/** A valid ECRECOVER input: hash, v, r, s of a real signature. */
function ecrecoverInput(): Uint8Array[] {
  const hash = keccak_256(new TextEncoder().encode("block gas"));
  const signature = new SigningKey(keys.researcher.privateKey).sign(hash);
  return [hash, word(BigInt(signature.v)), getBytes(signature.r), getBytes(signature.s)];
}

/** The BN254 (alt_bn128) generators of EIP-197: e(G1, G2) with one pair. */
const pairingInput = [
  1n,
  2n,
  11559732032986387107991004021392285783925812861821192530917403151452391805634n,
  10857046999023057135944570762232829481370756359578518086990519993285655852781n,
  4082367875863433681332203403145435568316851327593401208105741076214120093531n,
  8495653923123431417604973247489272438418190587263600148770280649306958101930n,
].map(word);

type Workload = (block: number) => TypedTransaction[];
const nonces = new Map<string, bigint>();
function nonce(address: string): bigint {
  const n = nonces.get(address) ?? 0n;
  nonces.set(address, n + 1n);
  return n;
}
function recorder(i: number) {
  return recorderOf(keys, i % HOSPITALS);
}

const workloads: Record<string, Workload> = {
  transfers: () =>
    Array.from({ length: 1_500 }, (_, i) => {
      const from = recorder(i);
      return signedTx(common, from.privateKey, {
        nonce: nonce(from.address),
        to: recorder(i + 1).address,
        value: 1n,
      });
    }),
  grant: (block) =>
    Array.from({ length: 600 }, (_, i) => {
      const from = recorder(i);
      return signedTx(common, from.privateKey, {
        nonce: nonce(from.address),
        to: genesis.contracts.consentRegistry,
        data: grantCalldata(block * 1_000_000 + i, from.custodian),
        gasLimit: 300_000n,
      });
    }),
  batchGrant: (block) =>
    Array.from({ length: 4 }, (_, i) => {
      const from = recorder(i);
      return signedTx(common, from.privateKey, {
        nonce: nonce(from.address),
        to: genesis.contracts.consentRegistry,
        data: batchGrantCalldata((block * 10 + i) * 1_000, 500, from.custodian),
        gasLimit: MAX_TX_GAS,
      });
    }),
  jumpLoop: () => loops(hexToBytes("0x5b600056")),
  ecrecoverLoop: () => loops(precompileLoop(1, ecrecoverInput())),
  pairingLoop: () => loops(precompileLoop(8, pairingInput), 1),
};

function loops(code: Uint8Array, count = 3): TypedTransaction[] {
  return Array.from({ length: count }, (_, i) => {
    const from = recorder(i);
    return signedTx(common, from.privateKey, {
      nonce: nonce(from.address),
      data: code,
      gasLimit: MAX_TX_GAS,
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const results: Record<string, { mgasPerSecond: number; gasPerBlock: number; msPerBlock: number }> =
  {};
for (const [name, workload] of Object.entries(workloads)) {
  const dir = await tempDir("custos-block-gas-");
  const chainDb = await openChain(dir.path, genesis, common);
  const engine = createExecutionEngine({ chainDb });
  nonces.clear();
  const rates: number[] = [];
  const gas: number[] = [];
  const times: number[] = [];
  try {
    for (let b = 0; b < BLOCKS; b++) {
      const txs = workload(b);
      for (const tx of txs) tx.getSenderAddress(); // as the pool does at admission
      const parent = chainDb.head() as Block;
      const started = performance.now();
      const built = await engine.buildBlock(parent, txs, {
        timestamp: parent.header.timestamp + 1n,
        coinbase: new Uint8Array(20),
        gasLimit: BLOCK_GAS,
      });
      await engine.commit(built);
      const ms = performance.now() - started;
      if (built.rejected.length > 0) throw new Error(`${name}: ${built.rejected[0]?.reason}`);
      if (b === 0) continue;
      const used = Number(built.block.header.gasUsed);
      rates.push(used / ms / 1_000);
      gas.push(used);
      times.push(ms);
    }
  } finally {
    await chainDb.close();
    await dir.remove();
  }
  results[name] = {
    mgasPerSecond: Math.round(median(rates) * 10) / 10,
    gasPerBlock: median(gas),
    msPerBlock: Math.round(median(times)),
  };
  console.log(name.padEnd(14), results[name]);
}

await writeFile(
  new URL("./results/block-gas.json", import.meta.url),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? "unknown" },
      node: process.version,
      blocks: BLOCKS,
      results,
    },
    null,
    2,
  )}\n`,
);
