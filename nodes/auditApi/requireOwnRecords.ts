import { CustosError } from "../../src/errors/index.ts";
import type { AuditCaller } from "./AuditCaller.ts";

/**
 * A hospital reads per-subject data of its own records only; regulators read any.
 *
 * @throws CustosError `AUDIT_API_FORBIDDEN` for a hospital asking about another custodian's record.
 * @example
 * ```ts
 * requireOwnRecords(request.auditCaller as AuditCaller, custodian);
 * ```
 */
export function requireOwnRecords(caller: AuditCaller, custodian: number): void {
  if (caller.role === "hospital" && caller.orgId !== custodian) {
    throw new CustosError(
      "AUDIT_API_FORBIDDEN",
      "a hospital reads per-subject data of its own records only",
      { details: { reason: "custodian", custodian } },
    );
  }
}
