import type { Block } from "@ethereumjs/block";
import type { Common, StateManagerInterface } from "@ethereumjs/common";
import type { EVMMockBlockchainInterface } from "@ethereumjs/evm";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { Address, bytesToHex, bytesToUnprefixedHex, bytesToUtf8 } from "@ethereumjs/util";
import { createTransientEvm } from "./createTransientVm.ts";
import type { CallRequest, CallResult } from "./ExecutionEngine.ts";

/** What a message call executes on. */
export interface MessageCallContext {
  /** Chain parameters (shared, not copied). */
  readonly common: Common;
  /** The state to run on; the call's writes stay in it (give it a throw-away state). */
  readonly stateManager: StateManagerInterface;
  /** Answers BLOCKHASH. */
  readonly blockchain: EVMMockBlockchainInterface;
}

const ERROR_SELECTOR = "0x08c379a0";
const EMPTY = new Uint8Array(0);

/**
 * The `Error(string)` reason in revert data, or undefined when the data is not one.
 *
 * @example
 * ```ts
 * decodeRevertReason(revertData); // "not a member"
 * ```
 */
export function decodeRevertReason(data: Uint8Array): string | undefined {
  if (data.length < 68 || bytesToHex(data.subarray(0, 4)) !== ERROR_SELECTOR) return undefined;
  const length = Number(BigInt(bytesToHex(data.subarray(36, 68))));
  if (68 + length > data.length) return undefined;
  return bytesToUtf8(data.subarray(68, 68 + length));
}

/**
 * The intrinsic gas of a request as a transaction carrying it would pay: 21,000, calldata,
 * contract creation and init code (EIP-3860), and its access list (EIP-2930: 2,400 per
 * address, 1,900 per storage key).
 *
 * @example
 * ```ts
 * callIntrinsicGas(common, { to, accessList: [{ address, storageKeys: [slot] }] }); // 25_300n
 * ```
 */
export function callIntrinsicGas(common: Common, request: CallRequest): bigint {
  return createFeeMarket1559Tx(
    {
      ...(request.to === undefined ? {} : { to: request.to }),
      data: request.data ?? EMPTY,
      accessList: (request.accessList ?? []).map((entry) => [
        entry.address,
        [...entry.storageKeys],
      ]),
    },
    { common },
  ).getIntrinsicGas();
}

/**
 * Runs a request as the message call of a transaction with gas limit `gas` would run:
 * intrinsic gas ({@link callIntrinsicGas}) is taken first; the precompiles, the sender, the
 * target, the coinbase (EIP-3651) and the access list's addresses and slots start warm
 * (EIP-2929), exactly as EthereumJS's `runTx` warms them; the sender's balance is not
 * checked. Both the in-thread engine and the call workers run calls through this function,
 * so the two give the same answers.
 *
 * Expected failures are returned: a revert (with the `Error(string)` reason decoded), an
 * exceptional halt (`error`, e.g. "out of gas"), or gas below the intrinsic gas (`error`
 * "intrinsic gas too low: …", in geth's words).
 *
 * @example
 * ```ts
 * const result = await runMessageCall({ common, stateManager, blockchain }, request, block, 50_000_000n);
 * ```
 */
export async function runMessageCall(
  context: MessageCallContext,
  request: CallRequest,
  block: Block,
  gas: bigint,
): Promise<CallResult> {
  const { common } = context;
  const intrinsic = callIntrinsicGas(common, request);
  if (gas < intrinsic) {
    return {
      returnData: EMPTY,
      gasUsed: gas,
      error: `intrinsic gas too low: gas ${gas}, minimum needed ${intrinsic}`,
    };
  }
  // An EVM, not a VM: a call needs no block machinery.
  const evm = await createTransientEvm(context);
  const caller = new Address(request.from ?? new Uint8Array(20));
  if (common.isActivatedEIP(2929)) {
    const { journal } = evm;
    for (const [address] of evm.precompiles.entries()) journal.addAlwaysWarmAddress(address);
    journal.addAlwaysWarmAddress(bytesToUnprefixedHex(caller.bytes));
    if (request.to !== undefined) journal.addAlwaysWarmAddress(bytesToUnprefixedHex(request.to));
    if (common.isActivatedEIP(3651)) {
      journal.addAlwaysWarmAddress(bytesToUnprefixedHex(block.header.coinbase.bytes));
    }
    for (const entry of request.accessList ?? []) {
      const address = bytesToUnprefixedHex(entry.address);
      journal.addAlwaysWarmAddress(address);
      for (const key of entry.storageKeys) {
        journal.addAlwaysWarmSlot(address, bytesToUnprefixedHex(key));
      }
    }
  }
  const { execResult } = await evm.runCall({
    block,
    caller,
    origin: caller,
    ...(request.to === undefined ? {} : { to: new Address(request.to) }),
    data: request.data ?? EMPTY,
    value: request.value ?? 0n,
    gasLimit: gas - intrinsic,
    skipBalance: true,
  });
  const base = {
    returnData: execResult.returnValue,
    gasUsed: intrinsic + execResult.executionGasUsed,
  };
  const failure = execResult.exceptionError;
  if (failure === undefined) return base;
  if (failure.error === "revert") {
    const reason = decodeRevertReason(execResult.returnValue);
    const data = execResult.returnValue;
    return { ...base, revert: reason === undefined ? { data } : { data, reason } };
  }
  return { ...base, error: failure.error };
}
