import { readFileSync } from "node:fs";
import { Contract, TypedDataEncoder, verifyTypedData, Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import {
  buildConsentTypedData,
  type ConsentTypedDataKind,
  consentTypedDataDomain,
  consentTypedDataTypes,
  ledgerContracts,
  signConsentTypedData,
} from "../../src/ledger/index.ts";
import { connectLedger, doc, subject } from "./ledgerFixture.ts";

const env = await connectLedger();
const source = readFileSync(
  new URL("../../contracts/ConsentRegistry.sol", import.meta.url),
  "utf8",
);

describe("consentTypedData", () => {
  it("encodes each operation with exactly the contract's type string", () => {
    const kinds = Object.keys(consentTypedDataTypes) as ConsentTypedDataKind[];
    expect(kinds).toEqual(["Grant", "Update", "Revoke", "SetDelegate", "InvalidateSignatures"]);
    for (const kind of kinds) {
      const fields = consentTypedDataTypes[kind].map((f) => ({ ...f }));
      const encoded = TypedDataEncoder.from({ [kind]: fields }).encodeType(kind);
      // The string literal the contract hashes into its _<KIND>_TYPEHASH constant.
      expect(source).toContain(`"${encoded}"`);
    }
  });

  it("builds the domain the deployed contract hashes", async () => {
    const stack = await env.deploy();
    const registry = new Contract(
      stack.addresses.registry,
      ledgerContracts.ConsentRegistry.iface,
      env.ethers.provider,
    );
    const domain = consentTypedDataDomain(31337n, stack.addresses.registry);
    expect(domain.version).toBe("2");
    expect(TypedDataEncoder.hashDomain({ ...domain })).toBe(
      await registry.getFunction("DOMAIN_SEPARATOR")(),
    );
  });

  it("signs typed data a verifier recovers to the signer", async () => {
    const wallet = Wallet.createRandom();
    const typed = buildConsentTypedData(consentTypedDataDomain(1n, wallet.address), "SetDelegate", {
      custodian: 1,
      subject: subject("s"),
      delegate: wallet.address,
      allowed: true,
      nonce: 0,
      deadline: 10n,
    });
    expect(typed.types).toEqual({ SetDelegate: consentTypedDataTypes.SetDelegate });
    const signed = await signConsentTypedData(wallet, typed);
    expect(signed.signer).toBe(wallet.address);
    const recovered = verifyTypedData(
      { ...typed.domain },
      { SetDelegate: typed.types.SetDelegate.map((f) => ({ ...f })) },
      { ...typed.message },
      signed.signature,
    );
    expect(recovered).toBe(wallet.address);
    const revoke = buildConsentTypedData(typed.domain, "Revoke", {
      custodian: 1,
      subject: subject("s"),
      documentHash: doc("d"),
      nonce: 1,
      deadline: 10n,
    });
    expect(revoke.primaryType).toBe("Revoke");
    const invalidate = buildConsentTypedData(typed.domain, "InvalidateSignatures", {
      custodian: 2,
      subject: subject("s"),
      nonce: 7,
      deadline: 10n,
    });
    expect(invalidate.types).toEqual({
      InvalidateSignatures: consentTypedDataTypes.InvalidateSignatures,
    });
    const signedInvalidation = await signConsentTypedData(wallet, invalidate);
    expect(
      verifyTypedData(
        { ...invalidate.domain },
        { InvalidateSignatures: invalidate.types.InvalidateSignatures.map((f) => ({ ...f })) },
        { ...invalidate.message },
        signedInvalidation.signature,
      ),
    ).toBe(wallet.address);
  });
});
