import { describe, expect, it } from "vitest";
import { measureAuditProofVerify, syntheticProof } from "../../bench/auditProof.ts";
import { verifyChainProof } from "../../src/auditProof/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

describe("a proof through many validator-set changes (the benchmark's synthetic chain)", () => {
  it("verifies after 12 rotations of a 4-validator set, and fails when any change is left out", async () => {
    const { proof, anchor } = await syntheticProof(4, 12);
    expect(proof.validatorChanges).toHaveLength(12);
    const [log] = verifyChainProof(proof, anchor);
    expect(log?.blockNumber).toBe(37);
    for (let left = 0; left < 12; left++) {
      const changes = proof.validatorChanges.filter((_, i) => i !== left);
      const error = expectCustosError(
        () => verifyChainProof({ ...proof, validatorChanges: changes }, anchor),
        "AUDIT_PROOF_INVALID",
      );
      // The next change's header (or the target's) lists a set the verifier does not expect.
      expect(error.details).toMatchObject({ link: "validatorSet" });
    }
    const reordered = [...proof.validatorChanges].reverse();
    expect(
      expectCustosError(
        () => verifyChainProof({ ...proof, validatorChanges: reordered }, anchor),
        "AUDIT_PROOF_INVALID",
      ).details.link,
    ).toBe("validatorSet");
  });

  it("measures both recoveries", async () => {
    const result = await measureAuditProofVerify({ validators: 4, changes: 3, repeats: 1 });
    expect(result).toMatchObject({ validators: 4, changes: 3, sealsChecked: 12 });
    expect(result.proofVerifyMs).toBeGreaterThan(0);
    expect(result.proofVerifyNativeMs).toBeGreaterThan(0);
  });
});
