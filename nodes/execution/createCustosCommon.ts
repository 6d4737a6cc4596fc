import { paramsBlock } from "@ethereumjs/block";
import {
  type ChainConfig,
  type Common,
  type CustomCrypto,
  createCustomCommon,
  Hardfork,
  type HardforkTransitionConfig,
  Mainnet,
  type ParamsDict,
} from "@ethereumjs/common";
import { paramsEVM } from "@ethereumjs/evm";
import { paramsTx } from "@ethereumjs/tx";
import { paramsVM } from "@ethereumjs/vm";
import { loadNativeCrypto } from "./loadNativeCrypto.ts";
import type { RecoveredKeyMemo } from "./RecoveredKeyMemo.ts";

/** Options of {@link createCustosCommon}. */
export interface CustosCommonOptions {
  /** EIP-155 chain id of the network (from genesis). */
  readonly chainId: bigint;
  /** Crypto overrides; default: the native addons when they load ({@link loadNativeCrypto}). */
  readonly customCrypto?: CustomCrypto;
  /**
   * Public keys recovered ahead of execution, which the native `ecrecover` takes first: the
   * memo the execution engine's sender recovery fills (`createExecutionEngine({
   * recoveredKeys })`). Unused with `customCrypto`.
   */
  readonly recoveredKeys?: RecoveredKeyMemo;
}

/** The hardfork the node executes: matches solc's `evmVersion: "cancun"` of the contracts. */
export const CUSTOS_HARDFORK = Hardfork.Cancun;

/**
 * Creates the EthereumJS `Common` for a Custos network: mainnet rules at Cancun from block 0
 * with the network's chain id, minus proof of stake.
 *
 * Why not plain mainnet-at-Cancun: Paris switches the consensus type to PoS, which limits
 * `extraData` to 32 bytes (QBFT needs room for the validator set and commit seals) and ties
 * the chain to beacon semantics. Paris is overridden to keep its EIPs (3675: no uncles or
 * difficulty; 4399: PREVRANDAO reads mixHash) without the consensus switch; the chain's own
 * consensus entry names QBFT. Consequences, all intended: no block rewards (the node never
 * calls EthereumJS `runBlock`, which would pay PoW rewards), coinbase receives priority fees,
 * withdrawals are always empty (EIP-4895 keeps the header field), the EIP-4788 beacon-root
 * contract is absent so its system call is a no-op, blob transactions are not accepted (no
 * KZG). Prague is not used: the contracts are compiled for Cancun and Prague's system
 * contracts (EIP-2935/7002/7251) and requests hash add nothing a permissioned chain needs.
 *
 * @example
 * ```ts
 * const common = createCustosCommon({ chainId: 4242n });
 * ```
 */
export function createCustosCommon(options: CustosCommonOptions): Common {
  // Mainnet's schedule would still act by block number on a chain that runs Cancun from
  // block 0: blocks 1,920,000–1,920,009 must carry the DAO fork's extraData, and block
  // 12,965,000 (London's) must have the initial base fee — one chain halt after 22 days,
  // another after 150. Here every fork up to Cancun is at block 0, the DAO fork (a
  // one-off state change, no rules) is never scheduled, and later forks are not either.
  const cancun = Mainnet.hardforks.findIndex((fork) => fork.name === CUSTOS_HARDFORK);
  const hardforks: HardforkTransitionConfig[] = Mainnet.hardforks.map((fork, index) => ({
    name: fork.name,
    block: index > cancun || fork.name === Hardfork.Dao ? null : 0,
  }));
  const customCrypto = options.customCrypto ?? loadNativeCrypto(options.recoveredKeys).customCrypto;
  const chain: Partial<ChainConfig> & { customHardforks: Record<string, { eips: number[] }> } = {
    name: "custos",
    chainId: Number(options.chainId),
    consensus: {
      // Not ethash (which caps extraData at 32 bytes) and not clique/PoA (whose runTx path
      // pays fees to a clique signer); QBFT's rules live in nodes/consensus, not EthereumJS.
      type: "pow",
      algorithm: "qbft" as ChainConfig["consensus"]["algorithm"],
    },
    customHardforks: { paris: { eips: [3675, 4399] } },
    hardforks,
  };
  const common = createCustomCommon(chain, Mainnet, { hardfork: CUSTOS_HARDFORK, customCrypto });
  return withParamsMergedOnce(common);
}

// The parameter sets EthereumJS's constructors merge into the Common they are given.
const libraryParams: readonly ParamsDict[] = [paramsTx, paramsBlock, paramsEVM, paramsVM];

/**
 * Merges the transaction, block, EVM and VM parameter sets into `common` once, and makes
 * merging one of them again (into it or into any copy of it) a no-op.
 *
 * Why: every EthereumJS transaction, header and EVM copies the Common it is given and calls
 * `updateParams` with its package's parameter set, which JSON-round-trips each EIP's
 * parameters and rebuilds the whole parameter cache. Profiled on a node admitting and
 * executing grants, that was ~24 % of all CPU, for a result that never changes: a Custos
 * chain has one hardfork (Cancun from block 0), and a copy shares the original's parameters.
 * Parameter sets other than these four still merge as before.
 */
function withParamsMergedOnce(common: Common): Common {
  const update = Object.getPrototypeOf(common).updateParams as Common["updateParams"];
  for (const params of libraryParams) update.call(common, params);
  const merged = new Set<ParamsDict>(libraryParams);
  // An own property: Common.copy() copies own properties, so copies skip the merge too.
  Object.defineProperty(common, "updateParams", {
    value(this: Common, params: ParamsDict) {
      if (!merged.has(params)) update.call(this, params);
    },
    enumerable: true,
    writable: true,
  });
  return common;
}
