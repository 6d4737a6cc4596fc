import type { Contract, ContractTransactionResponse, TransactionReceipt } from "ethers";
import { CustosError } from "../errors/index.ts";
import type { Hex } from "./abiValues.ts";
import { decodeContractError } from "./decodeContractError.ts";
import { type ContractEvent, decodeLedgerLog, type LedgerEvent } from "./LedgerEvent.ts";
import type { LedgerContract, LedgerContractAbi } from "./ledgerContracts.ts";
import type {
  AbiFunctionArgs,
  AbiFunctionOf,
  AbiFunctionResult,
  AbiViewFunction,
  AbiWriteFunction,
  LedgerFunction,
} from "./ledgerFunctions.ts";
import { raceAbort, throwIfAborted } from "./raceAbort.ts";

/** A mined transaction with the events it logged on the client's contract. */
export interface TransactionResult<E extends LedgerEvent = LedgerEvent> {
  readonly hash: Hex;
  readonly blockNumber: number;
  readonly gasUsed: bigint;
  /** The transaction's events on the client's contract, in log order. */
  readonly events: readonly E[];
}

/** Options of every state-changing client method. */
export interface TransactionOptions {
  /**
   * Stops the call: before sending, nothing is sent; while waiting for the receipt, the wait
   * ends with `LEDGER_ABORTED` (details.sent = true, details.hash) and the transaction may
   * still be mined.
   */
  readonly signal?: AbortSignal;
  /** Gas limit to send with instead of the node's estimate. */
  readonly gasLimit?: bigint;
}

/** A contract bound to its runner, with the ABIs its reverts are decoded against. */
export interface LedgerContractHandle<Abi extends readonly unknown[]> {
  readonly contract: Contract;
  /** The contract's own ABI (its functions are called, its events decoded). */
  readonly abi: LedgerContract<Abi>;
  /** ABIs for revert decoding, the contract's own first. */
  readonly abis: readonly LedgerContractAbi[];
}

/** A view function of the handle's contract. */
type ViewOf<Abi extends readonly unknown[]> = Extract<AbiFunctionOf<Abi>, AbiViewFunction>;
/** A state-changing function of the handle's contract. */
type WriteOf<Abi extends readonly unknown[]> = Extract<AbiFunctionOf<Abi>, AbiWriteFunction>;

/**
 * Reads a view function, mapping failures through {@link decodeContractError}.
 *
 * @throws CustosError with the mapped contract error code, `LEDGER_BAD_RESPONSE` or
 * `LEDGER_UNAVAILABLE`.
 * @example
 * ```ts
 * const count = await callLedgerView(handle, handle.abi.functions.queryCount, []); // bigint
 * ```
 */
export async function callLedgerView<Abi extends readonly unknown[], F extends ViewOf<Abi>>(
  handle: LedgerContractHandle<Abi>,
  fn: LedgerFunction<F>,
  args: AbiFunctionArgs<F>,
): Promise<AbiFunctionResult<F>> {
  try {
    return fn.result(await handle.contract.getFunction(fn.fragment).staticCallResult(...args));
  } catch (error) {
    throw decodeContractError(error, handle.abis);
  }
}

/**
 * Estimates a state-changing call's gas, mapping failures (reverts found while estimating)
 * through {@link decodeContractError}.
 *
 * @throws CustosError with the mapped contract error code or `LEDGER_UNAVAILABLE`.
 * @example
 * ```ts
 * const gas = await estimateLedgerGas(handle, handle.abi.functions.batchRevoke, args);
 * ```
 */
export async function estimateLedgerGas<Abi extends readonly unknown[], F extends WriteOf<Abi>>(
  handle: LedgerContractHandle<Abi>,
  fn: LedgerFunction<F>,
  args: AbiFunctionArgs<F>,
): Promise<bigint> {
  try {
    return await handle.contract.getFunction(fn.fragment).estimateGas(...args);
  } catch (error) {
    throw decodeContractError(error, handle.abis);
  }
}

/**
 * Sends a state-changing call, waits for its receipt and decodes the contract's events.
 *
 * @throws CustosError with the mapped contract error code (reverts found while estimating or
 * after mining), `LEDGER_TRANSACTION_REJECTED`, `LEDGER_UNAVAILABLE` or `LEDGER_ABORTED`.
 * @example
 * ```ts
 * const { revoke } = handle.abi.functions;
 * const { hash, events } = await sendLedgerTransaction(handle, revoke, [custodian, subject, doc]);
 * ```
 */
export async function sendLedgerTransaction<Abi extends readonly unknown[], F extends WriteOf<Abi>>(
  handle: LedgerContractHandle<Abi>,
  fn: LedgerFunction<F>,
  args: AbiFunctionArgs<F>,
  options: TransactionOptions = {},
): Promise<TransactionResult<ContractEvent<Abi>>> {
  const { signal } = options;
  throwIfAborted(signal, { sent: false });
  let response: ContractTransactionResponse;
  try {
    const overrides = options.gasLimit === undefined ? {} : { gasLimit: options.gasLimit };
    response = await handle.contract.getFunction(fn.fragment).send(...args, overrides);
  } catch (error) {
    throw decodeContractError(error, handle.abis);
  }
  let receipt: TransactionReceipt | null;
  try {
    receipt = await raceAbort(response.wait(), signal, { sent: true, hash: response.hash });
  } catch (error) {
    throw decodeContractError(error, handle.abis);
  }
  if (receipt === null) {
    throw new CustosError("LEDGER_UNAVAILABLE", "transaction has no receipt", {
      details: { hash: response.hash },
    });
  }
  return transactionResultOf(handle, receipt);
}

/**
 * The result of a mined transaction from its receipt: the events it logged on the handle's
 * contract, decoded, in log order (logs of other contracts are left out). The events are
 * decoded when first read: a bulk import's chunks log 500 events each that it never reads,
 * and decoding them took a tenth of the importer's time.
 *
 * @example
 * ```ts
 * const { events } = await transactionResultOf(handle, receipt);
 * ```
 */
export async function transactionResultOf<Abi extends readonly unknown[]>(
  handle: LedgerContractHandle<Abi>,
  receipt: TransactionReceipt,
): Promise<TransactionResult<ContractEvent<Abi>>> {
  const address = (await handle.contract.getAddress()).toLowerCase();
  let events: ContractEvent<Abi>[] | undefined;
  return {
    hash: receipt.hash as Hex,
    blockNumber: receipt.blockNumber,
    gasUsed: receipt.gasUsed,
    get events() {
      if (events === undefined) {
        events = [];
        for (const log of receipt.logs) {
          if (log.address.toLowerCase() !== address) continue;
          const event = decodeLedgerLog<ContractEvent<Abi>>(log, handle.abi.iface);
          if (event !== undefined) events.push(event);
        }
      }
      return events;
    },
  };
}
