/** What EthereumJS's interpreter computes for a code: JUMPDESTs, PUSH values, opcode infos. */
type JumpAnalysis = unknown;

interface InterpreterPrototype {
  _getValidJumpDestinations(this: InterpreterThis, code: Uint8Array): JumpAnalysis;
}

interface InterpreterThis {
  readonly common: { chainId(): bigint; hardfork(): string; eips(): number[] };
}

const MARK = Symbol.for("custos.jumpAnalysisCache");
let enabled = true;

/**
 * Makes EthereumJS's interpreter reuse its jump-destination analysis per code.
 *
 * Why: @ethereumjs/evm 10.1.3 re-analyses the whole bytecode on EVERY message call that
 * jumps (decoding every PUSH value to a bigint and caching an opcode-info array sized like
 * the code). A ConsentRegistry.grant is two such calls (ConsentRegistry ~10 kB, Consortium
 * ~19 kB): the analysis was the single largest self-time in the grant benchmark and a large
 * share of the garbage collected (docs/decisions/009-evm-tuning.md, 6). The analysis is a pure
 * function of the code bytes and the opcode table, which the chain's rules fix (chain id,
 * hardfork, extra EIPs): results are cached per rule set, by code object identity (a WeakMap: contract code objects are shared
 * through the state manager's code cache and the node cache of content-addressed code, so
 * the same object recurs across transactions and blocks, and unused codes are collected).
 *
 * The interpreter class is not exported, so its module is imported by file URL next to the
 * package entry; if it is not there, nothing is patched and the function resolves to false
 * (installEvmPatches then refuses, naming the version).
 *
 * @example
 * ```ts
 * await installJumpAnalysisCache(); // once, before executing blocks
 * ```
 */
export async function installJumpAnalysisCache(): Promise<boolean> {
  let module: { Interpreter?: { prototype: InterpreterPrototype } };
  try {
    const entry = import.meta.resolve("@ethereumjs/evm");
    module = (await import(new URL("./interpreter.js", entry).href)) as typeof module;
  } catch {
    return false;
  }
  const prototype = module.Interpreter?.prototype as
    | (InterpreterPrototype & { [MARK]?: true })
    | undefined;
  if (prototype === undefined || typeof prototype._getValidJumpDestinations !== "function") {
    return false;
  }
  if (prototype[MARK] === true) return true;
  const analyse = prototype._getValidJumpDestinations;
  const caches = new Map<string, WeakMap<Uint8Array, JumpAnalysis>>();
  prototype._getValidJumpDestinations = function cachedJumpDestinations(code: Uint8Array) {
    if (!enabled) return analyse.call(this, code);
    const rules = `${this.common.chainId()}:${this.common.hardfork()}:${this.common.eips().join(",")}`;
    let cache = caches.get(rules);
    if (cache === undefined) {
      cache = new WeakMap();
      caches.set(rules, cache);
    }
    let analysis = cache.get(code);
    if (analysis === undefined) {
      analysis = analyse.call(this, code);
      cache.set(code, analysis);
    }
    return analysis;
  };
  prototype[MARK] = true;
  return true;
}

/**
 * Turns the cache on or off (after {@link installJumpAnalysisCache}): off, every message call
 * analyses its code again, as EthereumJS does.
 *
 * @example
 * ```ts
 * setJumpAnalysisCache(false);
 * ```
 */
export function setJumpAnalysisCache(on: boolean): void {
  enabled = on;
}
