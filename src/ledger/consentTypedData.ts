import type { Signer, TypedDataField } from "ethers";
import type { Bytes32 } from "../consent/index.ts";
import type { Hex } from "./abiValues.ts";
import { decodeContractError } from "./decodeContractError.ts";

const termsFields = [
  { name: "custodian", type: "uint32" },
  { name: "subject", type: "bytes32" },
  { name: "purposes", type: "uint32" },
  { name: "categories", type: "uint32" },
  { name: "validFrom", type: "uint40" },
  { name: "validUntil", type: "uint40" },
  { name: "documentHash", type: "bytes32" },
  { name: "nonce", type: "uint32" },
  { name: "deadline", type: "uint256" },
] as const;

/**
 * The EIP-712 types of ConsentRegistry's signed operations, field for field as the contract's
 * type strings (`Grant(uint32 custodian,bytes32 subject,…,uint32 nonce,uint256 deadline)`).
 * Every message names the record (custodian, subject) and commits to its nonce (see
 * `ConsentRegistryClient.nonceOf`).
 *
 * @example
 * ```ts
 * TypedDataEncoder.from({ Revoke: [...consentTypedDataTypes.Revoke] }).encodeType("Revoke");
 * ```
 */
export const consentTypedDataTypes = {
  Grant: termsFields,
  Update: termsFields,
  Revoke: [
    { name: "custodian", type: "uint32" },
    { name: "subject", type: "bytes32" },
    { name: "documentHash", type: "bytes32" },
    { name: "nonce", type: "uint32" },
    { name: "deadline", type: "uint256" },
  ],
  SetDelegate: [
    { name: "custodian", type: "uint32" },
    { name: "subject", type: "bytes32" },
    { name: "delegate", type: "address" },
    { name: "allowed", type: "bool" },
    { name: "nonce", type: "uint32" },
    { name: "deadline", type: "uint256" },
  ],
  InvalidateSignatures: [
    { name: "custodian", type: "uint32" },
    { name: "subject", type: "bytes32" },
    { name: "nonce", type: "uint32" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/**
 * A signed ConsentRegistry operation: "Grant", "Update", "Revoke", "SetDelegate" or
 * "InvalidateSignatures".
 */
export type ConsentTypedDataKind = keyof typeof consentTypedDataTypes;

/** ConsentRegistry's EIP-712 domain. */
export interface ConsentTypedDataDomain {
  readonly name: "Custos ConsentRegistry";
  readonly version: "2";
  readonly chainId: bigint;
  readonly verifyingContract: string;
}

/** The record a message is about and the record nonce it commits to. */
export interface ConsentRecordMessage {
  /** Organisation id of the custodian hospital (uint32). */
  readonly custodian: number;
  readonly subject: Bytes32;
  /** The record's nonce when signed (uint32): the signature is valid only while it holds. */
  readonly nonce: number;
  /** Last second (unix time) the signature is valid. */
  readonly deadline: bigint;
}

/** Message of a signed grant or update. */
export interface ConsentTermsMessage extends ConsentRecordMessage {
  readonly purposes: number;
  readonly categories: number;
  readonly validFrom: number;
  readonly validUntil: number;
  readonly documentHash: Bytes32;
}

/** Message of a signed revocation. */
export interface RevokeMessage extends ConsentRecordMessage {
  readonly documentHash: Bytes32;
}

/** Message of a signed delegate change. */
export interface SetDelegateMessage extends ConsentRecordMessage {
  readonly delegate: string;
  readonly allowed: boolean;
}

/** Message of a signed invalidation of a record's outstanding signatures. */
export type InvalidateSignaturesMessage = ConsentRecordMessage;

/** The message type of each signed operation. */
export interface ConsentTypedDataMessages {
  readonly Grant: ConsentTermsMessage;
  readonly Update: ConsentTermsMessage;
  readonly Revoke: RevokeMessage;
  readonly SetDelegate: SetDelegateMessage;
  readonly InvalidateSignatures: InvalidateSignaturesMessage;
}

/** Complete EIP-712 typed data of one operation, ready for `eth_signTypedData_v4`. */
export interface ConsentTypedData<K extends ConsentTypedDataKind = ConsentTypedDataKind> {
  readonly primaryType: K;
  readonly domain: ConsentTypedDataDomain;
  readonly types: { readonly [P in K]: (typeof consentTypedDataTypes)[K] };
  readonly message: ConsentTypedDataMessages[K];
}

/** Typed data with its signature, what a relayer submits with `…BySig`. */
export interface SignedConsentChange<K extends ConsentTypedDataKind = ConsentTypedDataKind>
  extends ConsentTypedData<K> {
  /** 65-byte ECDSA signature, hex. */
  readonly signature: Hex;
  /** The signing account (EIP-55). */
  readonly signer: string;
}

/**
 * The EIP-712 domain (version "2") of the ConsentRegistry at `verifyingContract` on chain
 * `chainId`.
 *
 * @example
 * ```ts
 * const domain = consentTypedDataDomain(31337n, registryAddress);
 * ```
 */
export function consentTypedDataDomain(
  chainId: bigint,
  verifyingContract: string,
): ConsentTypedDataDomain {
  return { name: "Custos ConsentRegistry", version: "2", chainId, verifyingContract };
}

/**
 * Builds the typed data of one signed operation.
 *
 * @example
 * ```ts
 * const nonce = await registry.nonceOf(subject);
 * const typed = buildConsentTypedData(domain, "Revoke", {
 *   custodian: 1, subject, documentHash, nonce, deadline,
 * });
 * ```
 */
export function buildConsentTypedData<K extends ConsentTypedDataKind>(
  domain: ConsentTypedDataDomain,
  primaryType: K,
  message: ConsentTypedDataMessages[K],
): ConsentTypedData<K> {
  const types = { [primaryType]: consentTypedDataTypes[primaryType] } as {
    readonly [P in K]: (typeof consentTypedDataTypes)[K];
  };
  return { primaryType, domain, types, message };
}

/**
 * Signs typed data with `signer` (a patient's wallet or a delegate's), giving what a relayer
 * submits.
 *
 * @throws CustosError `LEDGER_TRANSACTION_REJECTED` if the wallet refuses,
 * `LEDGER_UNAVAILABLE` if it cannot be reached.
 * @example
 * ```ts
 * const signed = await signConsentTypedData(patientWallet, typed);
 * ```
 */
export async function signConsentTypedData<K extends ConsentTypedDataKind>(
  signer: Signer,
  typed: ConsentTypedData<K>,
): Promise<SignedConsentChange<K>> {
  const types = {
    [typed.primaryType]: typed.types[typed.primaryType].map((field) => ({ ...field })),
  } as Record<string, TypedDataField[]>;
  try {
    const signature = (await signer.signTypedData({ ...typed.domain }, types, {
      ...typed.message,
    } as Record<string, unknown>)) as Hex;
    return { ...typed, signature, signer: await signer.getAddress() };
  } catch (error) {
    throw decodeContractError(error);
  }
}
