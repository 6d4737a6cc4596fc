import type { Block } from "@ethereumjs/block";
import type { Common, StateManagerInterface } from "@ethereumjs/common";
import type { EVMMockBlockchainInterface } from "@ethereumjs/evm";
import { createFeeMarket1559Tx } from "@ethereumjs/tx";
import { Address, bytesToUnprefixedHex, hexToBytes } from "@ethereumjs/util";
import { runTx } from "@ethereumjs/vm";
import { CustosError } from "../../src/errors/index.ts";
import { createTransientVm } from "./createTransientVm.ts";
import type { CallRequest } from "./ExecutionEngine.ts";
import { decodeRevertReason } from "./runMessageCall.ts";

/** What a replay runs on: the chain, a fresh state per run, and BLOCKHASH. */
export interface ReplayContext {
  readonly common: Common;
  /** A fresh, throw-away state at `stateRoot` (a run's writes must not reach the next run). */
  readonly stateAt: (stateRoot: Uint8Array) => StateManagerInterface;
  readonly blockchain: EVMMockBlockchainInterface;
}

/** An access-list entry (addresses 20 bytes, keys 32 bytes). */
export interface AccessListItem {
  readonly address: Uint8Array;
  readonly storageKeys: readonly Uint8Array[];
}

/** What {@link createAccessList} found. */
export interface AccessListOutcome {
  readonly accessList: readonly AccessListItem[];
  readonly gasUsed: bigint;
  /** Set when the transaction reverted or halted with that list. */
  readonly failure?:
    | { readonly kind: "revert"; readonly data: Uint8Array; readonly reason?: string }
    | { readonly kind: "halt"; readonly reason: string };
}

/** Most runs before the list must have settled (it grows each run; geth has no bound). */
const MAX_RUNS = 16;

function bare(hex: string): string {
  return (hex.startsWith("0x") ? hex.slice(2) : hex).toLowerCase();
}

function listKey(list: readonly AccessListItem[]): string {
  return list
    .map(
      (item) =>
        `${bytesToUnprefixedHex(item.address)}:${item.storageKeys.map(bytesToUnprefixedHex).join(",")}`,
    )
    .join(";");
}

/** The list in a canonical order: addresses ascending, each one's keys ascending. */
function sorted(list: readonly { address: string; storageKeys: readonly string[] }[]) {
  return list
    .map((item) => ({
      address: bare(item.address),
      storageKeys: item.storageKeys.map((key) => bare(key).padStart(64, "0")).sort(),
    }))
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

/**
 * Finds the EIP-2930 access list of the transaction `request` describes, as geth's
 * eth_createAccessList does: run it as a transaction (EthereumJS `runTx`, sender's balance
 * and nonce not checked, fee = the block's base fee) reporting every address and slot it
 * touches; drop its sender, its recipient (or created address) and the precompiles unless
 * it reads or writes their storage (their slots are listed, as geth lists them); run again
 * with that list until the list stops changing. The gas used is that of the last run,
 * with the list's own intrinsic gas. `state` names the state to run on (a committed block),
 * `context` the block the transaction runs in (the next one, at the head).
 *
 * @throws CustosError `RPC_EXECUTION_FAILED` when the request cannot run as a transaction at
 *   all (gas below its intrinsic gas), `STATE_NOT_AVAILABLE` from the state.
 * @example
 * ```ts
 * const { accessList, gasUsed } = await createAccessList(replay, request, head, next, 16_777_216n);
 * ```
 */
export async function createAccessList(
  replay: ReplayContext,
  request: CallRequest & {
    readonly nonce?: bigint;
    readonly accessList?: readonly AccessListItem[];
  },
  state: Block,
  context: Block,
  gas: bigint,
): Promise<AccessListOutcome> {
  const { common } = replay;
  const from = new Address(request.from ?? new Uint8Array(20));
  const fee = context.header.baseFeePerGas ?? 0n;
  let list: readonly AccessListItem[] = sorted(
    (request.accessList ?? []).map((item) => ({
      address: bytesToUnprefixedHex(item.address),
      storageKeys: item.storageKeys.map(bytesToUnprefixedHex),
    })),
  ).map((item) => ({
    address: hexToBytes(`0x${item.address}`),
    storageKeys: item.storageKeys.map((key) => hexToBytes(`0x${key}`)),
  }));
  for (let run = 1; ; run++) {
    const tx = createFeeMarket1559Tx(
      {
        ...(request.to === undefined ? {} : { to: request.to }),
        data: request.data ?? new Uint8Array(0),
        value: request.value ?? 0n,
        gasLimit: gas,
        nonce: request.nonce ?? 0n,
        maxFeePerGas: fee,
        maxPriorityFeePerGas: 0n,
        accessList: list.map((item) => [item.address, [...item.storageKeys]]),
      },
      { common, freeze: false },
    );
    tx.getSenderAddress = () => from;
    const vm = await createTransientVm({
      common,
      stateManager: replay.stateAt(state.header.stateRoot),
      blockchain: replay.blockchain,
    });
    let result: Awaited<ReturnType<typeof runTx>>;
    try {
      result = await runTx(vm, {
        tx,
        block: context,
        skipBalance: true,
        skipNonce: true,
        skipBlockGasLimitValidation: true,
        skipHardForkValidation: true,
        reportAccessList: true,
      });
    } catch (cause) {
      if (cause instanceof CustosError) throw cause;
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new CustosError(
        "RPC_EXECUTION_FAILED",
        `the transaction cannot run: ${message.split(" (")[0]}`,
        { details: { reason: message.split(" (")[0] ?? message }, cause },
      );
    }
    const excluded = new Set<string>([
      bytesToUnprefixedHex(from.bytes),
      ...(request.to === undefined ? [] : [bytesToUnprefixedHex(request.to)]),
      ...(result.createdAddress === undefined
        ? []
        : [bytesToUnprefixedHex(result.createdAddress.bytes)]),
      ...[...vm.evm.precompiles.keys()].map(bare),
    ]);
    const found: AccessListItem[] = sorted(result.accessList ?? [])
      .filter((item) => !excluded.has(item.address) || item.storageKeys.length > 0)
      .map((item) => ({
        address: hexToBytes(`0x${item.address}`),
        storageKeys: item.storageKeys.map((key) => hexToBytes(`0x${key}`)),
      }));
    if (listKey(found) === listKey(list) || run === MAX_RUNS) {
      const failure = result.execResult.exceptionError;
      const base = { accessList: found, gasUsed: result.totalGasSpent };
      if (failure === undefined) return base;
      if (failure.error === "revert") {
        const data = result.execResult.returnValue;
        const reason = decodeRevertReason(data);
        return {
          ...base,
          failure:
            reason === undefined ? { kind: "revert", data } : { kind: "revert", data, reason },
        };
      }
      return { ...base, failure: { kind: "halt", reason: failure.error } };
    }
    list = found;
  }
}
