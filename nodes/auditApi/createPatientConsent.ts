import { type JsonRpcProvider, verifyTypedData, type Wallet } from "ethers";
import { canonicalHash } from "../../src/canonical/index.ts";
import { CustosError } from "../../src/errors/index.ts";
import {
  buildConsentTypedData,
  type ConsentTypedData,
  type ConsentTypedDataDomain,
  consentTypedDataDomain,
  createConsentRegistryClient,
  type OnChainConsent,
  type SignedConsentChange,
} from "../../src/ledger/index.ts";

/** A patient's consent record as the portal reads and changes it. */
export interface PatientConsent {
  /** ConsentRegistry's EIP-712 domain on this chain. */
  domain(): Promise<ConsentTypedDataDomain>;
  /** The record's patient key, or null when none is registered. */
  patientKeyOf(custodian: number, subject: `0x${string}`): Promise<string | null>;
  /** The record's current state on chain. */
  consentOf(custodian: number, subject: `0x${string}`): Promise<OnChainConsent>;
  /**
   * The EIP-712 revocation the patient's wallet signs (`eth_signTypedData_v4`): at the
   * record's current nonce, valid for ten minutes, committing to the hash of a withdrawal
   * receipt the patient keeps.
   */
  prepareRevoke(
    custodian: number,
    subject: `0x${string}`,
    nowSeconds: number,
  ): Promise<{
    readonly typedData: ConsentTypedData<"Revoke">;
    readonly receipt: WithdrawalReceipt;
  }>;
  /**
   * Checks the patient key's signature of `typedData` and relays it (`revokeBySig`); resolves
   * when the revocation is in a block.
   *
   * @throws CustosError `AUDIT_API_FORBIDDEN` when no relayer is configured or the signer is
   *   not `patientKey`; the ledger's codes when the chain refuses it (a stale nonce, say).
   */
  relayRevoke(
    typedData: ConsentTypedData<"Revoke">,
    signature: string,
    patientKey: string,
  ): Promise<{ readonly txHash: string; readonly blockNumber: number }>;
}

/** What the portal hands the patient when they withdraw: its hash is on chain. */
export interface WithdrawalReceipt {
  readonly schema: "custos.consent-withdrawal/1";
  readonly custodian: number;
  readonly subject: `0x${string}`;
  /** Unix seconds of the request. */
  readonly requestedAt: number;
}

/** Where {@link createPatientConsent} reads and who relays. */
export interface PatientConsentOptions {
  readonly provider: JsonRpcProvider;
  readonly consentRegistry: string;
  /** A member account that submits patients' signed changes; null: the portal is read-only. */
  readonly relayer: Wallet | null;
}

const SIGNATURE_SECONDS = 600;

/**
 * The portal's consent port over ConsentRegistry: reads through the node's JSON-RPC, and
 * relays a patient's signed revocation with the hospital's relayer account (the pool admits
 * only member senders; the patient's key signs, it never needs funds or membership).
 *
 * @example
 * ```ts
 * const consent = createPatientConsent({ provider, consentRegistry, relayer });
 * const { typedData } = await consent.prepareRevoke(1, subject, now);
 * ```
 */
export function createPatientConsent(options: PatientConsentOptions): PatientConsent {
  const registry = (custodian: number) =>
    createConsentRegistryClient({
      address: options.consentRegistry,
      runner: options.relayer ?? options.provider,
      custodian,
    });

  const domain = async () =>
    consentTypedDataDomain((await options.provider.getNetwork()).chainId, options.consentRegistry);

  return {
    domain,
    consentOf: (custodian, subject) => registry(custodian).consentOf(subject),
    patientKeyOf: (custodian, subject) => registry(custodian).patientKeyOf(subject),

    async prepareRevoke(custodian, subject, now) {
      const receipt: WithdrawalReceipt = {
        schema: "custos.consent-withdrawal/1",
        custodian,
        subject,
        requestedAt: Math.floor(now),
      };
      const typedData = buildConsentTypedData(await domain(), "Revoke", {
        custodian,
        subject,
        documentHash: canonicalHash(receipt),
        nonce: await registry(custodian).nonceOf(subject),
        deadline: BigInt(Math.floor(now) + SIGNATURE_SECONDS),
      });
      return { typedData, receipt };
    },

    async relayRevoke(typedData, signature, patientKey) {
      if (options.relayer === null) {
        throw new CustosError("AUDIT_API_FORBIDDEN", "this node relays no consent changes", {
          details: { reason: "no relayer" },
        });
      }
      let signer: string;
      try {
        signer = verifyTypedData(
          typedData.domain,
          { Revoke: [...typedData.types.Revoke] },
          typedData.message,
          signature,
        );
      } catch {
        signer = "";
      }
      if (signer.toLowerCase() !== patientKey.toLowerCase()) {
        throw new CustosError(
          "AUDIT_API_FORBIDDEN",
          "the revocation is not signed by the patient key",
          {
            details: { reason: "signature" },
          },
        );
      }
      const signed: SignedConsentChange<"Revoke"> = {
        ...typedData,
        signature: signature as `0x${string}`,
        signer,
      };
      const sent = await registry(typedData.message.custodian).revokeBySig(signed);
      return { txHash: sent.hash, blockNumber: sent.blockNumber };
    },
  };
}
