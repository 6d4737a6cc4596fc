import type { AuditEntry } from "../audit/index.ts";
import { type LedgerContractName, ledgerContracts } from "../ledger/index.ts";
import { exportInputInvalid } from "./exportInputInvalid.ts";

/** Each contract's event names, from its ABI (the audit model covers every one of them). */
const eventsOf: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  (Object.keys(ledgerContracts) as LedgerContractName[]).map((name) => {
    const events = new Set<string>();
    ledgerContracts[name].iface.forEachEvent((fragment) => {
      events.add(fragment.name);
    });
    return [name, events];
  }),
);

/**
 * Checks that a value is an entry of the audit model: an event of the contract it names,
 * with its fields. The exports trust the field shapes the projection gives; this catches a
 * value that is not an entry at all (a caller's mix-up, or JSON from elsewhere).
 *
 * @throws CustosError `AUDIT_EXPORT_INPUT_INVALID` naming the field.
 * @example
 * ```ts
 * checkAuditEntry(JSON.parse(line)); // throws for { event: "Nope", … }
 * ```
 */
export function checkAuditEntry(entry: AuditEntry): AuditEntry {
  if (typeof entry !== "object" || entry === null) {
    throw exportInputInvalid("entry", "must be an audit entry");
  }
  const events = eventsOf.get(entry.contract);
  if (events === undefined) throw exportInputInvalid("entry.contract", "is not a Custos contract");
  if (!events.has(entry.event)) {
    throw exportInputInvalid("entry.event", `is not an event of ${entry.contract}`);
  }
  if (typeof entry.fields !== "object" || entry.fields === null) {
    throw exportInputInvalid("entry.fields", "must be an object");
  }
  if (entry.actor !== null && typeof entry.actor !== "string") {
    throw exportInputInvalid("entry.actor", "must be an address or null");
  }
  return entry;
}
