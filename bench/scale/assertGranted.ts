/**
 * The load's proof that a committed batchGrant transaction granted its consents: the consent
 * of its last subject is active. A chunk lands whole or reverts whole, and a reverted one
 * also moves its sender's nonce, so counting nonces alone would count failures as consents.
 */
import { bytesToHex } from "@ethereumjs/util";
import { ledgerContracts } from "../../src/ledger/index.ts";
import { batchSubjectSeries } from "../node/batchGrantPhase.ts";
import type { JsonRpc } from "../node/jsonRpc.ts";
import { custodianOf, pseudonym } from "../node/workload.ts";
import type { InFlightTx } from "./scaleProgress.ts";

const { consentOf } = ledgerContracts.ConsentRegistry.functions;

/** ConsentRegistry's `Status.Active`. */
const ACTIVE = 1;

/** eth_calls per JSON-RPC batch. */
const CALLS_PER_REQUEST = 100;

/**
 * Checks with `consentOf` that each transaction's last subject holds an active consent in its
 * sender's hospital.
 *
 * @throws Error naming the first transaction whose consent is not active, or a failed call.
 * @example
 * ```ts
 * await assertGranted(rpc, registry, [[0, 41, 20_500, 500]]);
 * ```
 */
export async function assertGranted(
  rpc: JsonRpc,
  registry: string,
  txs: readonly InFlightTx[],
): Promise<void> {
  for (let i = 0; i < txs.length; i += CALLS_PER_REQUEST) {
    const slice = txs.slice(i, i + CALLS_PER_REQUEST);
    let outcomes = await checkSlice(rpc, registry, slice);
    // A state persist holds the node's main thread for seconds under bulk load, and the call
    // workers read the state through it: a check may hit the node's call time limit.
    for (let retry = 0; retry < TIMEOUT_RETRIES && outcomes.some(timedOut); retry++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      outcomes = await checkSlice(rpc, registry, slice);
    }
    outcomes.forEach((outcome, j) => {
      const [sender, nonce, first, size] = slice[j] as InFlightTx;
      const where = `recorder ${sender} nonce ${nonce} (subjects ${first}..${first + size - 1})`;
      if ("error" in outcome) throw new Error(`consentOf for ${where}: ${outcome.error.message}`);
      const consent = consentOf.decode(outcome.result as string);
      if (Number(consent.status) !== ACTIVE) {
        throw new Error(`${where} was committed but its consents are not active: it reverted`);
      }
    });
  }
}

/** Checks of a slice stopped by the node's call time limit are tried again this often. */
const TIMEOUT_RETRIES = 5;

function timedOut(outcome: Awaited<ReturnType<JsonRpc["batch"]>>[number]): boolean {
  return "error" in outcome && /^execution aborted/.test(outcome.error.message);
}

function checkSlice(rpc: JsonRpc, registry: string, slice: readonly InFlightTx[]) {
  return rpc.batch(
    slice.map(([sender, , first, size]) => ({
      method: "eth_call",
      params: [
        {
          to: registry,
          data: consentOf.encode([
            custodianOf(sender),
            bytesToHex(pseudonym(batchSubjectSeries, first + size - 1)),
          ]),
        },
        "latest",
      ],
    })),
  );
}
