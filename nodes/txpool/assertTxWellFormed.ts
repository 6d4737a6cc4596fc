import { isLegacyTx, type TypedTransaction } from "@ethereumjs/tx";
import { CustosError } from "../../src/errors/index.ts";
import { type TxFees, txFees } from "./txFees.ts";

/** The stateless admission rules: everything checkable without account state or the pool. */
export interface TxRules {
  /** The node's chain id; signatures for any other chain are refused. */
  readonly chainId: bigint;
  /** Largest accepted encoded transaction, in bytes. */
  readonly maxTxBytes: number;
  /** The current block gas limit; a transaction needing more can never be included. */
  readonly blockGasLimit: bigint;
  /**
   * The chain's per-transaction gas cap (2^24, as EIP-7825: the execution engine's
   * `MAX_TX_GAS`); a block carrying a transaction above it is invalid.
   */
  readonly maxTxGas: bigint;
  /** Smallest accepted tip per gas (gasPrice for legacy), in wei. */
  readonly minTip: bigint;
  /** Accept legacy transactions without EIP-155 replay protection. */
  readonly allowUnprotected: boolean;
}

/** What the stateless checks learn about an admissible transaction. */
export interface WellFormedTx {
  /** Encoded size in bytes (counted against the pool's byte cap). */
  readonly size: number;
  /** Fee caps. */
  readonly fees: TxFees;
  /** Transaction hash. */
  readonly hash: Uint8Array;
}

const SUPPORTED_TYPES: ReadonlySet<number> = new Set([0, 1, 2]);

function legacyChainId(v: bigint | undefined): bigint | undefined {
  if (v === undefined || v < 35n) return undefined;
  return (v - 35n) / 2n;
}

/**
 * Checks the rules that need neither account state nor the pool: type, size, chain id,
 * replay protection, signature presence, intrinsic gas, per-transaction gas cap, block gas
 * limit and minimum tip.
 * Messages start with geth's wording so wallets recognise them. (A priority fee above the fee
 * cap cannot be constructed in EthereumJS; {@link decodeTransaction} reports it.)
 *
 * @throws CustosError `TXPOOL_TX_TYPE_UNSUPPORTED`, `TXPOOL_OVERSIZED`, `TXPOOL_WRONG_CHAIN`,
 *   `TXPOOL_UNPROTECTED`, `TXPOOL_INVALID_SENDER`, `TXPOOL_INTRINSIC_GAS`,
 *   `TXPOOL_GAS_LIMIT_TOO_HIGH`, `TXPOOL_GAS_LIMIT`, `TXPOOL_UNDERPRICED`
 * @example
 * ```ts
 * const { size, fees } = assertTxWellFormed(tx, { chainId: 1337n, maxTxBytes: 131072,
 *   blockGasLimit: 30_000_000n, maxTxGas: 16_777_216n, minTip: 0n, allowUnprotected: false });
 * ```
 */
export function assertTxWellFormed(tx: TypedTransaction, rules: TxRules): WellFormedTx {
  if (!SUPPORTED_TYPES.has(tx.type)) {
    throw new CustosError("TXPOOL_TX_TYPE_UNSUPPORTED", "transaction type not supported", {
      details: { type: tx.type },
    });
  }
  const size = tx.serialize().length;
  if (size > rules.maxTxBytes) {
    throw new CustosError(
      "TXPOOL_OVERSIZED",
      `oversized data: transaction size ${size}, limit ${rules.maxTxBytes}`,
      { details: { size, limit: rules.maxTxBytes } },
    );
  }
  if (!tx.isSigned()) {
    throw new CustosError("TXPOOL_INVALID_SENDER", "invalid sender: transaction is not signed");
  }
  if (isLegacyTx(tx)) {
    const chainId = legacyChainId(tx.v);
    if (chainId === undefined) {
      if (!rules.allowUnprotected) {
        throw new CustosError(
          "TXPOOL_UNPROTECTED",
          "only replay-protected (EIP-155) transactions allowed over RPC",
        );
      }
    } else if (chainId !== rules.chainId) {
      throw wrongChain(chainId, rules.chainId);
    }
  } else if ("chainId" in tx && tx.chainId !== rules.chainId) {
    throw wrongChain(tx.chainId, rules.chainId);
  }
  const fees = txFees(tx);
  const minimumGas = tx.getMinimumGasLimit();
  if (tx.gasLimit < minimumGas) {
    throw new CustosError(
      "TXPOOL_INTRINSIC_GAS",
      `intrinsic gas too low: gas ${tx.gasLimit}, minimum needed ${minimumGas}`,
      { details: { gasLimit: String(tx.gasLimit), minimum: String(minimumGas) } },
    );
  }
  if (tx.gasLimit > rules.maxTxGas) {
    throw new CustosError(
      "TXPOOL_GAS_LIMIT_TOO_HIGH",
      `transaction gas limit too high (cap: ${rules.maxTxGas}, tx: ${tx.gasLimit})`,
      { details: { gasLimit: String(tx.gasLimit), cap: String(rules.maxTxGas) } },
    );
  }
  if (tx.gasLimit > rules.blockGasLimit) {
    throw new CustosError(
      "TXPOOL_GAS_LIMIT",
      `exceeds block gas limit: gas ${tx.gasLimit}, block gas limit ${rules.blockGasLimit}`,
      { details: { gasLimit: String(tx.gasLimit), blockGasLimit: String(rules.blockGasLimit) } },
    );
  }
  if (fees.tipCap < rules.minTip) {
    throw new CustosError(
      "TXPOOL_UNDERPRICED",
      `transaction underpriced: gas tip cap ${fees.tipCap}, minimum needed ${rules.minTip}`,
      { details: { tipCap: String(fees.tipCap), minTip: String(rules.minTip) } },
    );
  }
  return { size, fees, hash: tx.hash() };
}

function wrongChain(got: bigint, want: bigint): CustosError {
  return new CustosError(
    "TXPOOL_WRONG_CHAIN",
    `invalid chain id for signer: have ${got}, want ${want}`,
    { details: { chainId: String(got), expected: String(want) } },
  );
}
