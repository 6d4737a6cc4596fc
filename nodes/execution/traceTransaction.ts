import type { Block } from "@ethereumjs/block";
import type { EVMResult, Message } from "@ethereumjs/evm";
import { equalsBytes } from "@ethereumjs/util";
import { runTx } from "@ethereumjs/vm";
import { CustosError } from "../../src/errors/index.ts";
import type { ReplayContext } from "./createAccessList.ts";
import { createTransientVm } from "./createTransientVm.ts";
import { decodeRevertReason } from "./runMessageCall.ts";

/** A call frame as geth's callTracer reports it. */
export interface TracedFrame {
  type: "CALL" | "STATICCALL" | "DELEGATECALL" | "CALLCODE" | "CREATE" | "CREATE2";
  from: Uint8Array;
  to?: Uint8Array;
  value?: bigint;
  gas: bigint;
  gasUsed: bigint;
  input: Uint8Array;
  output?: Uint8Array;
  error?: string;
  revertReason?: string;
  calls: TracedFrame[];
}

/** The EVM's message events the tracer listens to. */
interface MessageEvents {
  on(event: "beforeMessage", listener: (message: Message) => void): void;
  on(event: "afterMessage", listener: (result: EVMResult) => void): void;
}

function frameOf(message: Message): TracedFrame {
  const to = message.to?.bytes;
  const code = message._codeAddress?.bytes;
  const base = { gas: message.gasLimit, gasUsed: 0n, input: message.data, calls: [] };
  if (to === undefined) {
    return {
      ...base,
      type: message.salt === undefined ? "CREATE" : "CREATE2",
      from: message.caller.bytes,
      value: message.value,
    };
  }
  if (message.delegatecall) {
    return { ...base, type: "DELEGATECALL", from: to, to: code ?? to, value: message.value };
  }
  if (code !== undefined && !equalsBytes(code, to)) {
    return {
      ...base,
      type: "CALLCODE",
      from: message.caller.bytes,
      to: code,
      value: message.value,
    };
  }
  if (message.isStatic) {
    return { ...base, type: "STATICCALL", from: message.caller.bytes, to };
  }
  return { ...base, type: "CALL", from: message.caller.bytes, to, value: message.value };
}

function close(frame: TracedFrame, result: EVMResult): void {
  const { execResult } = result;
  frame.gasUsed = execResult.executionGasUsed;
  if (result.createdAddress !== undefined) frame.to = result.createdAddress.bytes;
  const failure = execResult.exceptionError;
  if (failure === undefined) {
    frame.output = execResult.returnValue;
    return;
  }
  if (frame.type === "CREATE" || frame.type === "CREATE2") delete frame.to;
  if (failure.error === "revert") {
    frame.error = "execution reverted";
    frame.output = execResult.returnValue;
    const reason = decodeRevertReason(execResult.returnValue);
    if (reason !== undefined) frame.revertReason = reason;
    return;
  }
  frame.error = failure.error;
}

/**
 * Replays transaction `index` of a committed `block` and returns its call tree, as geth's
 * callTracer does: the block's earlier transactions run first on the parent's state
 * (`parentStateRoot`), exactly as the block executed; then the transaction runs with the
 * EVM's message events recording one frame per call, creation and precompile call. The top
 * frame carries the transaction's gas limit and its gas used (intrinsic gas and refund
 * included); inner frames the gas given to the message and what it used. A failed frame
 * carries `error` ("execution reverted" with its output and decoded `revertReason`, or the
 * halt reason without output). A call made inside a static context is reported as
 * STATICCALL whatever its opcode (the EVM's messages do not name it).
 *
 * @throws CustosError `INTERNAL` when the block has no transaction at `index` or a
 *   transaction fails to replay (the chain stored a block it cannot re-execute),
 *   `STATE_NOT_AVAILABLE` from the state.
 * @example
 * ```ts
 * const top = await traceTransaction(replay, block, parent.stateRoot, 2, { onlyTopCall: false });
 * ```
 */
export async function traceTransaction(
  replay: ReplayContext,
  block: Block,
  parentStateRoot: Uint8Array,
  index: number,
  options: { readonly onlyTopCall: boolean },
): Promise<TracedFrame> {
  const target = block.transactions[index];
  if (target === undefined) {
    throw new CustosError("INTERNAL", "no transaction at this index of the block", {
      details: { blockNumber: block.header.number.toString(), index },
    });
  }
  const vm = await createTransientVm({
    common: replay.common,
    stateManager: replay.stateAt(parentStateRoot),
    blockchain: replay.blockchain,
  });
  const replayed = async (run: () => Promise<Awaited<ReturnType<typeof runTx>>>) => {
    try {
      return await run();
    } catch (cause) {
      if (cause instanceof CustosError) throw cause;
      throw new CustosError("INTERNAL", "a committed transaction failed to replay", {
        details: { blockNumber: block.header.number.toString(), index },
        cause,
      });
    }
  };
  let blockGasUsed = 0n;
  for (const tx of block.transactions.slice(0, index)) {
    const result = await replayed(() => runTx(vm, { tx, block, blockGasUsed }));
    blockGasUsed += result.totalGasSpent;
  }
  const stack: TracedFrame[] = [];
  let top: TracedFrame | undefined;
  const events = vm.evm.events as unknown as MessageEvents;
  events.on("beforeMessage", (message) => {
    const parent = stack[stack.length - 1];
    const frame = frameOf(message);
    if (parent === undefined) top = frame;
    else if (!options.onlyTopCall) parent.calls.push(frame);
    stack.push(frame);
  });
  events.on("afterMessage", (result) => {
    const frame = stack.pop();
    if (frame !== undefined) close(frame, result);
  });
  const result = await replayed(() => runTx(vm, { tx: target, block, blockGasUsed }));
  if (top === undefined) {
    throw new CustosError("INTERNAL", "the replayed transaction ran no message", {
      details: { blockNumber: block.header.number.toString(), index },
    });
  }
  top.from = target.getSenderAddress().bytes;
  top.gas = target.gasLimit;
  top.gasUsed = result.totalGasSpent;
  return top;
}
