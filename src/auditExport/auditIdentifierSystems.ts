import { fhirSystems } from "../consent/index.ts";

/**
 * Identifier systems of what an exported AuditEvent names. Things that live on one chain are
 * scoped by its EIP-155 chain id (the same query id means another query on another chain); a
 * subject pseudonym is scoped by its custodian hospital, whose key made it. Accounts use the
 * consent mapping's Ethereum-address system, so an AuditEvent agent and a FHIR Consent
 * performer name the same key alike.
 *
 * @example
 * ```ts
 * auditIdentifierSystems.query(1337); // "urn:custos:query:1337"
 * auditIdentifierSystems.subject(2); // "urn:custos:subject:2"
 * ```
 */
export const auditIdentifierSystems = {
  /** An AccessLedger query; value: its decimal id. */
  query: (chainId: number): string => `urn:custos:query:${chainId}`,
  /** A subject pseudonym (bytes32 hex) at custodian hospital `custodian`. */
  subject: (custodian: number): string => `urn:custos:subject:${custodian}`,
  /** A consent record (custodian, subject); value: the subject pseudonym. */
  consent: (chainId: number, custodian: number): string =>
    `urn:custos:consent:${chainId}:${custodian}`,
  /** A Consortium organisation; value: its decimal id (a hospital's id is its organisation id). */
  organisation: (chainId: number): string => `urn:custos:org:${chainId}`,
  /** A governance proposal; value: its decimal id. */
  proposal: (chainId: number): string => `urn:custos:proposal:${chainId}`,
  /** An ε budget; value: `<researcher organisation>-<hospital>`. */
  budget: (chainId: number): string => `urn:custos:budget:${chainId}`,
  /** A hospital's site trail (its data service's off-chain log); value: the hospital's id. */
  siteTrail: (chainId: number): string => `urn:custos:site-trail:${chainId}`,
  /** The validator set in force from a block; value: that block number. */
  validatorSet: (chainId: number): string => `urn:custos:validator-set:${chainId}`,
  /** A deployed contract; value: its EIP-55 address. */
  contract: (chainId: number): string => `urn:custos:contract:${chainId}`,
  /** A transaction; value: its hash. */
  transaction: (chainId: number): string => `urn:custos:tx:${chainId}`,
  /** A node that observed the chain and recorded the AuditEvent; value: as the node names itself. */
  node: (chainId: number): string => `urn:custos:node:${chainId}`,
  /** An account (EOA or contract); value: its EIP-55 address. */
  account: fhirSystems.ethereumAddress,
  /** Consortium roles (codes as `consortiumRoles`: hospital, regulator, researcher, reviewBoard). */
  consortiumRole: "https://w3id.org/custos/fhir/CodeSystem/consortium-role",
} as const;
