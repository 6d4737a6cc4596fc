import {
  type ChainConfig,
  type Common,
  type CustomCrypto,
  createCustomCommon,
  Hardfork,
  Mainnet,
} from "@ethereumjs/common";
import { loadNativeCrypto } from "./loadNativeCrypto.ts";

/** Options of {@link createCustosCommon}. */
export interface CustosCommonOptions {
  /** EIP-155 chain id of the network (from genesis). */
  readonly chainId: bigint;
  /** Crypto overrides; default: the native addons when they load ({@link loadNativeCrypto}). */
  readonly customCrypto?: CustomCrypto;
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
  const customCrypto = options.customCrypto ?? loadNativeCrypto().customCrypto;
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
  };
  return createCustomCommon(chain, Mainnet, { hardfork: CUSTOS_HARDFORK, customCrypto });
}
