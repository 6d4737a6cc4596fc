/**
 * A verifier that remembers what it verified (`createProofVerifier`) checks each remembered
 * item once, and reaches the verdict a fresh `verifyChainProof` reaches on every proof:
 * the same logs, or the same error (link, place and reason). Proofs come from the
 * benchmark's synthetic chain (4 validators, quorum 3).
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import { beforeAll, describe, expect, it } from "vitest";
import { syntheticProof } from "../../bench/auditProof.ts";
import { nativeKeccak256 } from "../../nodes/bin/commands/audit/nativeKeccak256.ts";
import { decodeBlockHeader, sealHeader, signCommitSeal } from "../../nodes/chain/index.ts";
import {
  createProofVerifier,
  type ProofBlock,
  type ProofDocument,
  recoverSealSigner,
  type SealSignerRecovery,
  type TrustAnchor,
  verifyChainProof,
} from "../../src/auditProof/index.ts";
import { isCustosError } from "../../src/errors/index.ts";

let proofs: ProofDocument[];
let anchor: TrustAnchor;
let signers: Uint8Array[];

beforeAll(async () => {
  ({ proofs, anchor, signers } = await syntheticProof(4, 6, 3));
});

const hex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString("hex")}`;

/** What verifying gives: the logs, or the error's message and details. */
function outcome(verify: () => unknown): unknown {
  try {
    return { logs: verify() };
  } catch (error) {
    if (!isCustosError(error, "AUDIT_PROOF_INVALID")) throw error;
    return { message: error.message, details: error.details };
  }
}

/** noble's recovery, counting its calls. */
function counting(): { recover: SealSignerRecovery; calls: () => number } {
  let calls = 0;
  return {
    recover: (digest, seal) => {
      calls += 1;
      return recoverSealSigner(digest, seal);
    },
    calls: () => calls,
  };
}

/** The proof's target block re-sealed with `seals` (made from its commit-seal hash). */
function resealed(
  proof: ProofDocument,
  seals: (sign: (key: Uint8Array) => Uint8Array) => Uint8Array[],
): ProofDocument {
  const item = proof.blocks[0] as ProofBlock;
  const header = decodeBlockHeader(Buffer.from(item.header.slice(2), "hex"));
  const sealed = sealHeader(
    header,
    seals((key) => signCommitSeal(header, key)),
  );
  return { ...proof, blocks: [{ ...item, header: hex(sealed.serialize()) }] };
}

describe("createProofVerifier", () => {
  it("verifies a later proof of the same chain by checking only its new block's seals", () => {
    const { recover, calls } = counting();
    const verifier = createProofVerifier({ recoverSigner: recover });
    expect(verifier.verify(proofs[0], anchor)).toEqual(verifyChainProof(proofs[0], anchor));
    expect(calls()).toBe(7 * 3); // 6 changes and the block, 3 seals each
    expect(verifier.verify(proofs[1], anchor)).toEqual(verifyChainProof(proofs[1], anchor));
    expect(calls()).toBe(7 * 3 + 3);
    expect(verifier.verify(proofs[1], anchor)).toEqual(verifyChainProof(proofs[1], anchor));
    expect(calls()).toBe(7 * 3 + 3);
    verifier.clear();
    verifier.verify(proofs[1], anchor);
    expect(calls()).toBe(2 * 7 * 3 + 3);
  });

  it("returns logs the caller may change without changing what it remembers", () => {
    const verifier = createProofVerifier();
    const first = verifier.verify(proofs[0], anchor)[0] as unknown as {
      data: string;
      topics: string[];
    };
    first.data = "0xff";
    first.topics.push("0x00");
    expect(verifier.verify(proofs[0], anchor)).toEqual(verifyChainProof(proofs[0], anchor));
  });

  it("remembers nothing across proofs at cacheSize 0, and stays right when it evicts", () => {
    const { recover, calls } = counting();
    const none = createProofVerifier({ recoverSigner: recover, cacheSize: 0 });
    none.verify(proofs[0], anchor);
    none.verify(proofs[0], anchor);
    expect(calls()).toBe(2 * 7 * 3);
    const small = createProofVerifier({ cacheSize: 2 });
    for (const proof of [...proofs, ...proofs]) {
      expect(small.verify(proof, anchor)).toEqual(verifyChainProof(proof, anchor));
    }
  });

  it("fails a warm verifier exactly as a fresh one when a change is left out or moved", () => {
    const verifier = createProofVerifier();
    verifier.verify(proofs[0], anchor);
    const proof = proofs[1] as ProofDocument;
    const variants: ProofDocument[] = [
      ...proof.validatorChanges.map((_, left) => ({
        ...proof,
        validatorChanges: proof.validatorChanges.filter((_, i) => i !== left),
      })),
      { ...proof, validatorChanges: [...proof.validatorChanges].reverse() },
      { ...proof, blocks: [proofs[2] as ProofDocument, proof].flatMap((p) => p.blocks) },
      { ...proof, blocks: [...proof.blocks, ...proof.blocks] },
    ];
    for (const variant of variants) {
      const fresh = outcome(() => verifyChainProof(variant, anchor));
      expect(fresh).toHaveProperty("details.link");
      expect(outcome(() => verifier.verify(variant, anchor))).toEqual(fresh);
    }
  });

  it("checks the anchor's block again for a remembered item", () => {
    const verifier = createProofVerifier();
    verifier.verify(proofs[0], anchor);
    const later = { ...anchor, fromBlock: 5 };
    const fresh = outcome(() => verifyChainProof(proofs[0], later));
    expect(fresh).toMatchObject({ details: { link: "anchor", item: "validatorChanges" } });
    expect(outcome(() => verifier.verify(proofs[0], later))).toEqual(fresh);
  });

  it("checks a changed remembered item in full, and still knows the untouched one", () => {
    const verifier = createProofVerifier();
    verifier.verify(proofs[0], anchor);
    const proof = proofs[0] as ProofDocument;
    const item = proof.validatorChanges[2] as ProofBlock;
    // The last byte of the header is a seal's recovery id (0 or 1): 2 is malformed.
    const tampered = {
      ...proof,
      validatorChanges: proof.validatorChanges.map((change, i) =>
        i === 2 ? { ...item, header: `${item.header.slice(0, -2)}02` } : change,
      ),
    };
    const fresh = outcome(() => verifyChainProof(tampered, anchor));
    expect(fresh).toMatchObject({ details: { link: "seals", index: 2 } });
    expect(outcome(() => verifier.verify(tampered, anchor))).toEqual(fresh);
    expect(verifier.verify(proof, anchor)).toEqual(verifyChainProof(proof, anchor));
  });

  it("fails every seal whose recovery gives no 64-byte public key (e.g. an address)", () => {
    const address: SealSignerRecovery = (digest, seal) =>
      keccak_256(recoverSealSigner(digest, seal) ?? new Uint8Array()).subarray(12);
    const fresh = outcome(() => verifyChainProof(proofs[0], anchor, { recoverSigner: address }));
    expect(fresh).toMatchObject({ details: { link: "seals", seal: 0 } });
    expect((fresh as { message: string }).message).toContain("recovers to no key");
  });

  it("verifies the same with a native keccak injected", () => {
    const keccak256 = nativeKeccak256() ?? keccak_256;
    const verifier = createProofVerifier({ keccak256 });
    for (const proof of proofs) {
      expect(verifier.verify(proof, anchor)).toEqual(verifyChainProof(proof, anchor));
      expect(verifyChainProof(proof, anchor, { keccak256 })).toEqual(
        verifyChainProof(proof, anchor),
      );
    }
  });
});

describe("commit seals beyond a quorum (Besu recovers every seal)", () => {
  const stranger = keccak_256(new TextEncoder().encode("not a validator"));

  it("accepts a surplus seal of a validator", () => {
    const all = resealed(proofs[0] as ProofDocument, (sign) => signers.map(sign));
    expect(verifyChainProof(all, anchor)).toEqual(verifyChainProof(proofs[0], anchor));
  });

  it("fails a surplus seal by a stranger, a repeated committer or a tampered surplus seal", () => {
    const quorum = signers.slice(0, 3);
    const cases: [ProofDocument, string][] = [
      [resealed(proofs[0] as ProofDocument, (sign) => [...quorum, stranger].map(sign)), "not a"],
      [
        resealed(proofs[0] as ProofDocument, (sign) =>
          [...quorum, signers[0] as Uint8Array].map(sign),
        ),
        "repeats",
      ],
      [
        resealed(proofs[0] as ProofDocument, (sign) => {
          const seals = signers.map(sign);
          const last = seals[3] as Uint8Array;
          last[40] = (last[40] as number) ^ 1; // s changes: another key, or none
          return seals;
        }),
        "seal 3",
      ],
    ];
    for (const [proof, reason] of cases) {
      const fresh = outcome(() => verifyChainProof(proof, anchor));
      expect(fresh).toMatchObject({ details: { link: "seals", item: "blocks", seal: 3 } });
      expect((fresh as { message: string }).message).toContain(reason);
      const warm = createProofVerifier();
      warm.verify(proofs[0], anchor);
      expect(outcome(() => warm.verify(proof, anchor))).toEqual(fresh);
    }
  });
});
