/** The organisation roles whose admin accounts may read the audit API. */
export type AuditRole = "regulator" | "hospital";

/**
 * A verified caller of the audit API: an admin account of a regulator or hospital
 * organisation, as the Consortium held it at the head when the request arrived.
 */
export interface AuditCaller {
  /** The signing account, lowercase hex. */
  readonly address: `0x${string}`;
  readonly orgId: number;
  readonly role: AuditRole;
}

/** A patient signed in for their own consent record (the portal). */
export interface PatientCaller {
  /** The record's patient key, lowercase hex. */
  readonly address: `0x${string}`;
  readonly role: "patient";
  readonly custodian: number;
  /** The record's pseudonym. */
  readonly subject: `0x${string}`;
}
