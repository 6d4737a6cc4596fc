import { keccak_256 } from "@noble/hashes/sha3.js";
import { checkTrustAnchor } from "./checkTrustAnchor.ts";
import { createBoundedCache } from "./createBoundedCache.ts";
import { createCommitterRecovery } from "./createCommitterRecovery.ts";
import type { ReceiptLog } from "./decodeReceipt.ts";
import { decodeValidatorSetScheduled } from "./decodeValidatorSetScheduled.ts";
import { hexToBytes } from "./hexBytes.ts";
import type { Keccak256 } from "./Keccak256.ts";
import { parseProofDocument } from "./parseProofDocument.ts";
import { failAt, type ProofPlace, proofInvalid } from "./proofInvalid.ts";
import { recoverSealSigner, type SealSignerRecovery } from "./recoverSealSigner.ts";
import type { TrustAnchor } from "./TrustAnchor.ts";
import type { VerifiedLog } from "./VerifiedLog.ts";
import {
  type CachedProofItem,
  type ProofItemContext,
  type SetInForce,
  verifyProofItem,
} from "./verifyProofItem.ts";

/** Options of {@link createProofVerifier} (and of `verifyChainProof`). */
export interface ProofVerifierOptions {
  /**
   * How a seal's signer is recovered (default {@link recoverSealSigner}, noble's pure
   * JavaScript); a Node caller may pass the native addon's recovery, which is faster.
   */
  readonly recoverSigner?: SealSignerRecovery;
  /**
   * keccak-256 of headers, trie nodes, transactions and validator keys (default noble's, pure
   * JavaScript); a Node caller may pass a native one, ~10 times faster on a header.
   */
  readonly keccak256?: Keccak256;
  /**
   * How many verified proof items (validator-set changes and blocks; each keeps its proof
   * text, about 5 kB) the verifier remembers, and as many validator keys' addresses (at
   * least 256); the least recently used go first. Default 1024; 0 remembers no item, so
   * every proof is checked in full.
   */
  readonly cacheSize?: number;
}

/** A proof verifier that remembers what it verified (see {@link createProofVerifier}). */
export interface ProofVerifier {
  /** `verifyChainProof(proof, anchor)`, skipping the items this verifier verified before. */
  verify(proof: unknown, anchor: TrustAnchor): VerifiedLog[];
  /** Forgets every remembered item and key. */
  clear(): void;
}

/** A validator set in force from `fromBlock` on. */
interface SetFrom extends SetInForce {
  readonly fromBlock: number;
}

const setFrom = (fromBlock: number, validators: readonly string[]): SetFrom => ({
  fromBlock,
  validators,
  key: validators.join(","),
});

/**
 * A verifier of proof documents (see `verifyChainProof`, whose checks and errors it shares)
 * that remembers the items it verified, by their exact text and the validator set their
 * header lists, and the address of each validator key it recovered. A dashboard checking
 * many proofs of one chain then checks each validator-set change once: a later proof pays
 * for its own blocks' seals (5 of a 7-validator set) instead of 5 for each of its changes.
 * A remembered item is trusted only where a fresh check would reach the same verdict: same
 * text, same set in force; the anchor's block and the order are checked again; a changed
 * byte is another text. Pure and browser-safe like `verifyChainProof`.
 *
 * @example
 * ```ts
 * const verifier = createProofVerifier();
 * for (const proof of proofs) show(verifier.verify(proof, anchor));
 * ```
 */
export function createProofVerifier(options: ProofVerifierOptions = {}): ProofVerifier {
  const size = options.cacheSize ?? 1024;
  const items = createBoundedCache<CachedProofItem>(size);
  // A fresh verifier needs the key memo within one proof even when it remembers nothing.
  const addresses = createBoundedCache<string>(Math.max(size, 256));
  // The set each remembered change item schedules, by its logs (the same array on a hit).
  let scheduled = new WeakMap<readonly ReceiptLog[], { consortium: string; set: SetFrom }>();
  const keccak256 = options.keccak256 ?? keccak_256;
  const committerOf = createCommitterRecovery(
    options.recoverSigner ?? recoverSealSigner,
    addresses,
    keccak256,
  );

  const verify = (proof: unknown, anchor: TrustAnchor): VerifiedLog[] => {
    checkTrustAnchor(anchor);
    const document = parseProofDocument(proof);
    if (BigInt(document.chainId) !== BigInt(anchor.chainId)) {
      throw proofInvalid(
        "anchor",
        `the proof is of chain ${BigInt(document.chainId)}, not ${anchor.chainId}`,
      );
    }
    if (document.consortium.toLowerCase() !== anchor.consortium) {
      throw proofInvalid(
        "anchor",
        `the proof's Consortium ${document.consortium} is not the anchor's ${anchor.consortium}`,
      );
    }
    const consortium = hexToBytes(anchor.consortium) as Uint8Array;
    const sets: SetFrom[] = [setFrom(anchor.fromBlock, anchor.validators)];
    const context = (previous: number): ProofItemContext => ({
      fromBlock: anchor.fromBlock,
      setAt: (block) => {
        let found = sets[0] as SetFrom;
        for (const set of sets) if (set.fromBlock <= block) found = set;
        return found;
      },
      previous,
      committerOf,
      keccak256,
      cache: items,
    });

    let previous = -1;
    document.validatorChanges.forEach((item, index) => {
      const place: ProofPlace = { item: "validatorChanges", index };
      const { number, raw } = verifyProofItem(item, place, context(previous));
      previous = number;
      // A remembered item returns the same logs: its set was decoded before.
      const known = scheduled.get(raw);
      if (known !== undefined && known.consortium === anchor.consortium) {
        sets.push(known.set);
        return;
      }
      const fail = failAt("validatorSet", { ...place, block: number });
      if (raw.length === 0) fail("a change item proves no ValidatorSetScheduled event");
      let validators: readonly string[] = [];
      for (const log of raw) {
        const change = decodeValidatorSetScheduled(log, consortium, fail);
        if (change.fromBlock !== number + 2) {
          fail(`a change in block ${number} takes effect at ${change.fromBlock}, not block + 2`);
        }
        validators = change.validators;
      }
      const set = setFrom(number + 2, validators);
      scheduled.set(raw, { consortium: anchor.consortium, set });
      sets.push(set);
    });

    previous = -1;
    return document.blocks.flatMap((item, index) => {
      const { number, logs } = verifyProofItem(item, { item: "blocks", index }, context(previous));
      previous = number;
      return logs;
    });
  };

  return {
    verify,
    clear() {
      items.clear();
      addresses.clear();
      scheduled = new WeakMap();
    },
  };
}
