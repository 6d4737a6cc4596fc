/**
 * Phase `grants`: single ConsentRegistry.grant transactions on the solo node holding the
 * loaded chain and on Hardhat's EDR node (automine, empty state) in the same run, with
 * bench:node's interleaved grant rounds. Both chains get the same signed transactions: EDR's
 * recorder nonces are set to the loaded chain's first. The phase is measured in one go; an
 * interrupted attempt is repeated whole, with a subject series of its own (the chain keeps
 * the earlier attempt's grants, and granting a subject twice reverts).
 */
import { rm } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { bytesToHex } from "@ethereumjs/util";
import { defaultDevGenesisOptions } from "../../nodes/chain/index.ts";
import type { BenchChain } from "../node/benchChain.ts";
import {
  BLOCK_GAS_LIMIT,
  ECHO,
  POLL_MS,
  RPC_TIMEOUT_MS,
  START_TIMEOUT_MS,
} from "../node/benchSettings.ts";
import { startEdrChain } from "../node/edrChain.ts";
import { type GrantRounds, runGrantRounds } from "../node/grantRounds.ts";
import { createGrantStream } from "../node/grantStream.ts";
import { round } from "../node/stats.ts";
import { createTxSigner, custodianOf, grantCalldata, pseudonym } from "../node/workload.ts";
import { chainNonces } from "./consentStream.ts";
import type { ScaleContext } from "./scaleContext.ts";
import { startSoloNode } from "./soloNode.ts";

/** As bench:node: 4 lanes of 100 transactions per HTTP request. */
const LANES = 4;
const RPC_BATCH = 100;

/**
 * Runs the grant rounds unless a result is recorded. Needs the completed load phase: the
 * point is the grant rate of a chain holding the target's consents.
 *
 * @throws Error from either chain or a failed grant.
 * @example
 * ```ts
 * await runGrantsPhase(context);
 * ```
 */
export async function runGrantsPhase(context: ScaleContext): Promise<void> {
  const { settings, progress, say } = context;
  if (progress.load?.status !== "complete") {
    say("grants: waits for the load phase (grants are measured on the loaded chain)");
    return;
  }
  progress.grants ??= { attempts: 0, result: null };
  const grants = progress.grants;
  if (grants.result !== null) {
    say("grants: complete, nothing to do");
    return;
  }
  grants.attempts++;
  context.save();
  const loadavgAtStart = loadavg().map((l) => round(l, 2));
  const running: BenchChain[] = [];
  const edrDir = join(settings.workDir, "edr");
  try {
    const { chain: custos } = await startSoloNode(settings, say);
    running.push(custos);
    const { setup } = custos;
    const registry = setup.contracts.consentRegistry;
    const recorders = setup.hospitals.map((h) => h.recorder);
    const edr = await startEdrChain({
      setup,
      dir: edrDir,
      blockGasLimit: BLOCK_GAS_LIMIT,
      balance: defaultDevGenesisOptions.balance,
      rpcTimeoutMs: RPC_TIMEOUT_MS,
      startTimeoutMs: START_TIMEOUT_MS,
      echo: ECHO,
    });
    running.push(edr);
    say(`grants: edr-automine at ${edr.rpc.url}`);
    const nonces = await chainNonces(custos.rpc, recorders);
    for (const [i, recorder] of recorders.entries()) {
      await edr.rpc.call("hardhat_setNonce", [
        recorder.address,
        `0x${(nonces[i] ?? 0).toString(16)}`,
      ]);
    }
    const grantGas = BigInt(
      await custos.rpc.call<string>("eth_estimateGas", [
        {
          from: recorders[0]?.address,
          to: registry,
          data: bytesToHex(
            grantCalldata(custodianOf(0), pseudonym("probe", 0), pseudonym("probe-document", 0)),
          ),
        },
      ]),
    );
    // As bench:node: a first grant's gas does not depend on the subject; 20 % slack.
    const gasLimit = (grantGas * 12n) / 10n;
    const series = `scale-grant-${grants.attempts}`;
    const stream = createGrantStream(
      createTxSigner(setup.chainId, recorders, nonces),
      registry,
      recorders.length,
      gasLimit,
      series,
    );
    const warmupTxs = 25 * recorders.length;
    const entries = [custos, edr].map(
      (chain): GrantRounds => ({ chain, stream, cursor: 0, nextSize: warmupTxs, rounds: [] }),
    );
    const results = await runGrantRounds(entries, {
      rounds: settings.grant.rounds,
      roundSeconds: settings.grant.roundSeconds,
      maxRoundTxs: settings.grant.maxRoundTxs,
      hospitals: recorders.length,
      warmupTxs,
      lanes: LANES,
      rpcBatch: RPC_BATCH,
      pollMs: POLL_MS,
      say,
    });
    const solo = results.get(custos.name);
    const other = results.get(edr.name);
    if (solo === undefined || other === undefined) throw new Error("grants: a chain has no rounds");
    grants.result = {
      grantTxPerSec: solo.txPerSecMedian,
      edrTxPerSec: other.txPerSecMedian,
      grantVsEdr: round(solo.txPerSecMedian / other.txPerSecMedian, 2),
      consentsStoredOnSoloNode: progress.load.state.stored,
      attempt: grants.attempts,
      subjectSeries: series,
      rounds: settings.grant.rounds,
      roundSeconds: settings.grant.roundSeconds,
      maxRoundTxs: settings.grant.maxRoundTxs,
      warmupTxs,
      lanes: LANES,
      txsPerHttpRequest: RPC_BATCH,
      gasLimitPerTx: Number(gasLimit),
      custos: solo,
      edr: other,
      loadavgAtStart,
      loadavgAtEnd: loadavg().map((l) => round(l, 2)),
      at: new Date().toISOString(),
    };
    say(
      `grants: custos ${solo.txPerSecMedian} tx/s (median), edr-automine ${other.txPerSecMedian} ` +
        `tx/s: ${grants.result.grantVsEdr}×`,
    );
    context.save();
    context.report();
  } finally {
    await Promise.allSettled(running.map((chain) => chain.stop()));
    await rm(edrDir, { recursive: true, force: true });
  }
}
