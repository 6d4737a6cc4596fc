import { BaseWallet, JsonRpcApiProvider, type Provider, type TransactionRequest } from "ethers";
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

/** How long a fee quote is reused: two blocks of a 1 s chain, well inside 2 × base fee. */
const FEE_QUOTE_MS = 1_000;

/** What the submissions through one provider share: its chain id and a recent fee quote. */
interface SubmitCache {
  readonly chainId: Promise<bigint>;
  fees?: { readonly at: number; readonly quote: Promise<Pick<TransactionRequest, FeeField>> };
}

type FeeField = "type" | "gasPrice" | "maxFeePerGas" | "maxPriorityFeePerGas";

const caches = new WeakMap<Provider, SubmitCache>();

function cacheOf(provider: Provider): SubmitCache {
  let cache = caches.get(provider);
  if (cache === undefined) {
    const chainId = provider.getNetwork().then((network) => network.chainId);
    // A failed lookup is not kept: the next submission asks again.
    chainId.catch(() => caches.delete(provider));
    cache = { chainId };
    caches.set(provider, cache);
  }
  return cache;
}

/** ethers' own fee choice (EIP-1559 when the chain has a base fee), reused for a second. */
function feeQuote(
  provider: Provider,
  cache: SubmitCache,
): Promise<Pick<TransactionRequest, FeeField>> {
  const now = performance.now();
  if (cache.fees === undefined || now - cache.fees.at > FEE_QUOTE_MS) {
    const quote = provider.getFeeData().then((fee) =>
      fee.maxFeePerGas !== null && fee.maxPriorityFeePerGas !== null
        ? {
            type: 2,
            maxFeePerGas: fee.maxFeePerGas,
            maxPriorityFeePerGas: fee.maxPriorityFeePerGas,
          }
        : { type: 0, gasPrice: fee.gasPrice },
    );
    cache.fees = { at: now, quote };
    quote.catch(() => {
      if (cache.fees?.quote === quote) delete cache.fees;
    });
  }
  return cache.fees.quote;
}

/**
 * A wallet's transaction signed here and sent as raw bytes: one `eth_sendRawTransaction` per
 * transaction. ethers' `send` asks the node for the chain id, the fee data and the head with
 * each one and parses the signed transaction back, five requests in turn that a node busy
 * executing a block answers late: it held a 10 M-consent import to one transaction per
 * ~0.2-1.4 s, under what the node could mine.
 */
async function signAndSend(
  wallet: BaseWallet,
  provider: JsonRpcApiProvider,
  to: string,
  data: string,
  options: SubmitOptions,
): Promise<Hex> {
  const cache = cacheOf(provider);
  const [chainId, fees] = await Promise.all([cache.chainId, feeQuote(provider, cache)]);
  const raw = await wallet.signTransaction({
    ...fees,
    chainId,
    to,
    data,
    nonce: options.nonce,
    gasLimit: options.gasLimit,
    value: 0n,
  });
  return (await provider.send("eth_sendRawTransaction", [raw])) as Hex;
}

/**
 * Signs and sends a state-changing call with the given gas limit and nonce, and resolves to
 * its hash as soon as the node has accepted it, without waiting for it to be mined: the
 * sending half of `sendLedgerTransaction`, for callers that keep several transactions in
 * flight and manage the nonces themselves. A wallet on a JSON-RPC provider signs here and
 * sends raw bytes, with the chain id and a fee quote (ethers' `getFeeData`, reused for a
 * second) shared by the submissions through that provider; another signer goes through
 * ethers' `send`.
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
    const runner = handle.contract.runner;
    if (runner instanceof BaseWallet && runner.provider instanceof JsonRpcApiProvider) {
      const data = handle.abi.iface.encodeFunctionData(fn.fragment, args as unknown[]);
      return await signAndSend(
        runner,
        runner.provider,
        await handle.contract.getAddress(),
        data,
        options,
      );
    }
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
