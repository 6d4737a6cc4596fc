import { CustosError } from "../errors/index.ts";
import type { Hex } from "./abiValues.ts";
import { decodeContractError } from "./decodeContractError.ts";
import type {
  AbiFunctionArgs,
  AbiFunctionOf,
  AbiWriteFunction,
  LedgerFunction,
} from "./ledgerFunctions.ts";
import type { LedgerContractHandle } from "./ledgerTransaction.ts";

/** How {@link submitLedgerTransaction} sends: both fixed by the caller, nothing estimated. */
export interface SubmitOptions {
  readonly gasLimit: bigint;
  /** The sender's nonce for this transaction. */
  readonly nonce: number;
}

/**
 * Signs and sends a state-changing call with the given gas limit and nonce, and resolves to
 * its hash as soon as the node has accepted it, without waiting for it to be mined: the
 * sending half of `sendLedgerTransaction`, for callers that keep several transactions in
 * flight and manage the nonces themselves.
 *
 * @throws CustosError `LEDGER_TRANSACTION_REJECTED` (nonce used, pool full, underpriced),
 *   `LEDGER_UNAVAILABLE` (the transaction may or may not have reached the node),
 *   `INVALID_ARGUMENT` (bad arguments, or a runner that cannot send).
 * @example
 * ```ts
 * const hash = await submitLedgerTransaction(handle, fns.batchGrant, args, { gasLimit, nonce });
 * ```
 */
export async function submitLedgerTransaction<
  Abi extends readonly unknown[],
  F extends Extract<AbiFunctionOf<Abi>, AbiWriteFunction>,
>(
  handle: LedgerContractHandle<Abi>,
  fn: LedgerFunction<F>,
  args: AbiFunctionArgs<F>,
  options: SubmitOptions,
): Promise<Hex> {
  try {
    const response = await handle.contract
      .getFunction(fn.fragment)
      .send(...args, { gasLimit: options.gasLimit, nonce: options.nonce });
    return response.hash as Hex;
  } catch (error) {
    throw decodeContractError(error, handle.abis);
  }
}

/**
 * The sender's next nonce, counting its transactions waiting in the node's pool (`pending`).
 *
 * @throws CustosError `INVALID_ARGUMENT` when the handle's runner is not a signer;
 *   `LEDGER_UNAVAILABLE`.
 * @example
 * ```ts
 * let nonce = await pendingNonce(handle);
 * ```
 */
export async function pendingNonce(
  handle: Pick<LedgerContractHandle<readonly unknown[]>, "contract" | "abis">,
): Promise<number> {
  const runner = handle.contract.runner as { getNonce?: (tag: string) => Promise<number> } | null;
  if (typeof runner?.getNonce !== "function") {
    throw new CustosError("INVALID_ARGUMENT", "runner: sending needs a signer", {
      details: { field: "runner" },
    });
  }
  try {
    return await runner.getNonce("pending");
  } catch (error) {
    throw decodeContractError(error, handle.abis);
  }
}
