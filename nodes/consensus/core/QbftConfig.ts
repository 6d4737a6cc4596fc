import { CustosError } from "../../../src/errors/index.ts";
import { defaultQbftDecodeLimits } from "./decodeQbftMessage.ts";
import type { QbftBlockCodec } from "./QbftBlock.ts";
import type { QbftCrypto, QbftSigner } from "./QbftCrypto.ts";
import { defaultQbftRoundTimeout, type QbftRoundTimeoutSettings } from "./qbftRoundTimeout.ts";

/** Resource bounds of one core: everything a peer can make it hold is capped here. */
export interface QbftBounds {
  /** Largest message accepted, in bytes (a proposal carries a block). */
  readonly maxMessageBytes: number;
  /** Longest justification list decoded (the rules then require ≤ the validator count). */
  readonly maxJustifications: number;
  /** Future heights whose messages are buffered. */
  readonly futureHeights: number;
  /** Messages buffered per future height. */
  readonly messagesPerFutureHeight: number;
  /** Wire bytes buffered for all future heights together. */
  readonly futureBytes: number;
  /** Message hashes remembered to drop duplicates. */
  readonly seenHashes: number;
  /**
   * Rounds either side of the current one whose prepares and commits are held: later ones
   * are dropped (the round-change rule brings the node there), earlier ones still count
   * commits so that a block committed just after this node timed out is not lost.
   */
  readonly roundWindow: number;
}

/**
 * Default bounds: 16 MiB messages, 256-entry justifications, 8 future heights of up to 256
 * messages and 64 MiB, 16,384 remembered hashes, a window of 8 rounds.
 *
 * @example
 * ```ts
 * createQbftConfig({ crypto, codec, bounds: { ...defaultQbftBounds, seenHashes: 4096 } });
 * ```
 */
export const defaultQbftBounds: QbftBounds = Object.freeze({
  maxMessageBytes: defaultQbftDecodeLimits.maxMessageBytes,
  maxJustifications: defaultQbftDecodeLimits.maxJustifications,
  futureHeights: 8,
  messagesPerFutureHeight: 256,
  futureBytes: 64 * 1024 * 1024,
  seenHashes: 16_384,
  roundWindow: 8,
});

/** The injected ports and settings of a core. Frozen; shared by every state it steps. */
export interface QbftConfig {
  /** The validator's key, or undefined for a node that follows without voting. */
  readonly signer: QbftSigner | undefined;
  readonly crypto: QbftCrypto;
  readonly codec: QbftBlockCodec;
  readonly roundTimeout: QbftRoundTimeoutSettings;
  readonly bounds: QbftBounds;
}

/** Options of {@link createQbftConfig}: the ports, and overrides of the defaults. */
export interface QbftConfigOptions {
  readonly signer?: QbftSigner | undefined;
  readonly crypto: QbftCrypto;
  readonly codec: QbftBlockCodec;
  readonly roundTimeout?: Partial<QbftRoundTimeoutSettings>;
  readonly bounds?: Partial<QbftBounds>;
}

function positiveInteger(value: number, field: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new CustosError(
      "CONSENSUS_INPUT_INVALID",
      `${field} must be an integer from 1 to ${max}`,
      {
        details: { field, value },
      },
    );
  }
  return value;
}

/**
 * Validates and freezes a core's configuration, filling in {@link defaultQbftBounds} and
 * {@link defaultQbftRoundTimeout}.
 *
 * @throws CustosError `CONSENSUS_INPUT_INVALID` when a bound or timeout setting is not a
 *   positive integer (`maxFactor` at most 2^20), or the signer's address is not 20 bytes.
 * @example
 * ```ts
 * const config = createQbftConfig({ signer, crypto, codec, roundTimeout: { baseMs: 1_000 } });
 * ```
 */
export function createQbftConfig(options: QbftConfigOptions): QbftConfig {
  const timeout = { ...defaultQbftRoundTimeout, ...options.roundTimeout };
  const bounds = { ...defaultQbftBounds, ...options.bounds };
  for (const [field, value] of Object.entries(bounds)) positiveInteger(value, `bounds.${field}`);
  positiveInteger(timeout.baseMs, "roundTimeout.baseMs");
  positiveInteger(timeout.maxFactor, "roundTimeout.maxFactor", 2 ** 20);
  positiveInteger(timeout.absentProposerMs, "roundTimeout.absentProposerMs");
  if (options.signer !== undefined && options.signer.address.length !== 20) {
    throw new CustosError("CONSENSUS_INPUT_INVALID", "the signer's address must be 20 bytes", {
      details: { field: "signer.address" },
    });
  }
  return Object.freeze({
    signer: options.signer,
    crypto: options.crypto,
    codec: options.codec,
    roundTimeout: Object.freeze(timeout),
    bounds: Object.freeze(bounds),
  });
}
