/** One opcode's entry in EthereumJS's opcode map (and its per-code cached copy). */
interface OpcodeEntry {
  readonly opcodeInfo: {
    readonly code: number;
    readonly feeBigInt: bigint;
    readonly isAsync: boolean;
    readonly dynamicGas: boolean;
    readonly isInvalid: boolean;
  };
  readonly opHandler: (runState: RunState, common: unknown) => unknown;
  readonly gasHandler: (runState: RunState, gas: bigint, common: unknown) => Promise<bigint>;
}

interface RunState {
  programCounter: number;
  opCode: number;
  code: Uint8Array;
  validJumps: Uint8Array;
  cachedPushes: unknown;
  shouldDoJumpAnalysis: boolean;
  gasLeft: bigint;
  memoryWordCount: bigint;
  readonly stack: { peek(count?: number): bigint[] };
  readonly env: { accessWitness?: { commit(): void; revert(): void } };
  eip7928PostTargetCallOog?: unknown;
  eip8037BurnLeftoverAfterCreateHaltOntoAlive?: boolean;
}

interface InterpreterThis {
  readonly common: { isActivatedEIP(eip: number): boolean };
  readonly profilerOpts?: { enabled?: boolean };
  readonly _runState: RunState;
  readonly _evm: {
    readonly DEBUG: boolean;
    readonly events: { listenerCount(event: string): number };
    readonly _opcodeMap: readonly OpcodeEntry[];
  };
  _getValidJumpDestinations(code: Uint8Array): {
    jumps: Uint8Array;
    pushes: unknown;
    opcodesCached: readonly OpcodeEntry[];
  };
  useGas(amount: bigint, context: unknown): void;
}

type Run = (
  this: InterpreterThis,
  code: Uint8Array,
  opts?: { pc?: number },
) => Promise<{ runState: RunState; exceptionError: unknown }>;

interface Modules {
  readonly prototype: { run: Run } & { [MARK]?: true };
  readonly EVMError: (new (
    message: string,
  ) => unknown) & {
    readonly errorMessages: Record<string, string>;
  };
  readonly errorTypeString: string;
  readonly consumeEip7928PostTargetCallOog: (runState: RunState) => void;
  readonly subMemUsage: (
    runState: RunState,
    offset: bigint,
    length: bigint,
    common: unknown,
  ) => bigint;
  readonly builtInGasHandlers: ReadonlyMap<number, OpcodeEntry["gasHandler"]>;
}

const MARK = Symbol.for("custos.fastInterpreterLoop");
let enabled = true;

/**
 * Synchronous copies of EthereumJS's memory-expansion gas handlers for MLOAD, MSTORE and
 * MSTORE8 (@ethereumjs/evm 10.1.3 `opcodes/gas.js`): the commonest dynamic-gas opcodes, whose
 * handlers are declared async although nothing in them waits.
 */
function syncGasHandlers(
  m: Modules,
): Map<number, (state: RunState, gas: bigint, common: unknown) => bigint> {
  const memory = (length: bigint) => (state: RunState, gas: bigint, common: unknown) =>
    gas + m.subMemUsage(state, state.stack.peek()[0] as bigint, length, common);
  return new Map([
    [0x51, memory(32n)],
    [0x52, memory(32n)],
    [0x53, memory(1n)],
  ]);
}

async function loadModules(): Promise<Modules | undefined> {
  try {
    const entry = import.meta.resolve("@ethereumjs/evm");
    const at = (path: string) => import(new URL(path, entry).href);
    const [interpreter, errors, eip7928, util, gas] = await Promise.all([
      at("./interpreter.js"),
      at("./errors.js"),
      at("./opcodes/EIP7928.js"),
      at("./opcodes/util.js"),
      at("./opcodes/gas.js"),
    ]);
    const modules = {
      prototype: interpreter.Interpreter?.prototype,
      EVMError: errors.EVMError,
      errorTypeString: errors.EVMErrorTypeString,
      consumeEip7928PostTargetCallOog: eip7928.consumeEip7928PostTargetCallOog,
      subMemUsage: util.subMemUsage,
      builtInGasHandlers: gas.dynamicGasHandlers,
    };
    const complete =
      typeof modules.prototype?.run === "function" &&
      typeof modules.EVMError === "function" &&
      typeof modules.errorTypeString === "string" &&
      typeof modules.consumeEip7928PostTargetCallOog === "function" &&
      typeof modules.subMemUsage === "function" &&
      modules.builtInGasHandlers instanceof Map;
    return complete ? (modules as Modules) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Replaces EthereumJS's interpreter loop with one that does not `await` opcodes that need not
 * be awaited.
 *
 * Why: @ethereumjs/evm 10.1.3 runs every opcode through `await this.runStep(...)`, an async
 * method, so each PUSH, DUP or ADD costs a promise and a microtask turn, plus per-step checks
 * for tracing, profiling and stateless (EIP-6800/7864) gas. A `ConsentRegistry.grant` is
 * ~1,670 steps, so this overhead was a large part of a grant's execution (alternating blocks
 * in one process: ~22 % less CPU per replayed grant block; decision 009). The replacement is
 * the same loop body, inlined: jump analysis, dynamic gas (awaited, except the synchronous
 * copies for MLOAD/MSTORE/MSTORE8, used only where the opcode still has EthereumJS's
 * built-in handler), invalid-opcode check, `useGas`, program counter, EIP-7928's pending
 * out-of-gas, and the handler, awaited only when async. Semantics are unchanged; the tests
 * build random blocks with it and replay them with EthereumJS's own loop.
 *
 * It applies only where the original's extra work is off: no EOF (EIP-3540), no stateless
 * gas (6800/7864), no profiler, no DEBUG and no `step` listener. Otherwise, or when
 * {@link setFastInterpreterLoop} turned it off, the original loop runs. The interpreter is not
 * exported, so its module is imported by file URL next to the package entry; if a piece is
 * not there, nothing is patched and the function resolves to false (installEvmPatches then
 * refuses, naming the version).
 *
 * @example
 * ```ts
 * await installFastInterpreterLoop(); // once, before executing blocks
 * ```
 */
export async function installFastInterpreterLoop(): Promise<boolean> {
  const m = await loadModules();
  if (m === undefined) return false;
  const { prototype, EVMError, errorTypeString } = m;
  if (prototype[MARK] === true) return true;
  const original = prototype.run;
  const syncGas = syncGasHandlers(m);
  prototype.run = async function fastRun(this: InterpreterThis, code, opts = {}) {
    const { common, _evm: evm } = this;
    if (
      !enabled ||
      common.isActivatedEIP(3540) ||
      common.isActivatedEIP(6800) ||
      common.isActivatedEIP(7864) ||
      this.profilerOpts?.enabled === true ||
      evm.DEBUG ||
      evm.events.listenerCount("step") > 0
    ) {
      return original.call(this, code, opts);
    }
    const state = this._runState;
    state.code = code;
    state.programCounter = opts.pc ?? state.programCounter;
    const start = state.programCounter;
    if (start !== 0 && (start < 0 || start >= code.length)) {
      throw new Error("Internal error: program counter not in range");
    }
    let error: { error?: string } | undefined;
    let cached: readonly OpcodeEntry[] | undefined;
    while (state.programCounter < state.code.length) {
      const pc = state.programCounter;
      let entry: OpcodeEntry;
      let op: number;
      if (cached === undefined) {
        op = state.code[pc] as number;
        // As EthereumJS: analyse jump destinations on the first JUMP, JUMPI or JUMPSUB.
        if (op === 0x56 || op === 0x57 || op === 0x5e) {
          const analysis = this._getValidJumpDestinations(state.code);
          state.validJumps = analysis.jumps;
          state.cachedPushes = analysis.pushes;
          state.shouldDoJumpAnalysis = false;
          cached = analysis.opcodesCached;
        }
        entry = evm._opcodeMap[op] as OpcodeEntry;
      } else {
        entry = cached[pc] as OpcodeEntry;
        op = entry.opcodeInfo.code;
      }
      const info = entry.opcodeInfo;
      state.opCode = op;
      try {
        let gas = info.feeBigInt;
        if (info.dynamicGas) {
          const sync =
            entry.gasHandler === m.builtInGasHandlers.get(info.code)
              ? syncGas.get(info.code)
              : undefined;
          gas =
            sync === undefined
              ? await entry.gasHandler(state, gas, common)
              : sync(state, gas, common);
        }
        if (info.isInvalid) throw new EVMError(EVMError.errorMessages.INVALID_OPCODE as string);
        this.useGas(gas, info);
        state.programCounter++;
        if (state.eip7928PostTargetCallOog !== undefined) m.consumeEip7928PostTargetCallOog(state);
        if (info.isAsync) await entry.opHandler(state, common);
        else entry.opHandler(state, common);
        state.env.accessWitness?.commit();
      } catch (e) {
        state.env.accessWitness?.revert();
        const evmError = e as { errorType?: string; error?: string };
        if (evmError?.errorType !== errorTypeString) throw e;
        if (evmError.error !== EVMError.errorMessages.STOP) error = evmError;
        break;
      }
    }
    if (
      error === undefined &&
      state.eip8037BurnLeftoverAfterCreateHaltOntoAlive === true &&
      state.gasLeft > 0n
    ) {
      state.gasLeft = 0n;
      error = new EVMError(EVMError.errorMessages.OUT_OF_GAS as string) as { error?: string };
    }
    return { runState: state, exceptionError: error };
  };
  prototype[MARK] = true;
  return true;
}

/**
 * Turns the fast loop on or off (after {@link installFastInterpreterLoop}): the benchmark
 * compares both in one process, and the tests replay blocks built with one on the other.
 *
 * @example
 * ```ts
 * setFastInterpreterLoop(false); // EthereumJS's own loop from the next message call on
 * ```
 */
export function setFastInterpreterLoop(on: boolean): void {
  enabled = on;
}
