import { CustosError } from "../errors/index.ts";
import type { ConsentRegistryEvent } from "../ledger/index.ts";
import type { ConsentChange, ConsentState } from "./ConsentChange.ts";

/**
 * The shape of a decoded ConsentRegistry event the consent index needs: what the ledger
 * client's `consentEvents` yields (`ConsentRegistryEvent` is assignable to it), or what any
 * other event source produces.
 */
export interface ConsentRegistryEventLike {
  /** Event name, e.g. "ConsentGranted". */
  readonly name: string;
  /** Decoded arguments by name (uint ≤ 48 bits as numbers, bytes32 as hex). */
  readonly args: Readonly<Record<string, unknown>>;
  readonly blockNumber: number;
  readonly logIndex: number;
}

/** A consent change decoded from an event, with whether it skips versions the index lacks. */
export interface MappedConsentEvent {
  readonly change: ConsentChange;
  /**
   * True when the index's stored version is below `change.version − 1`: an earlier event of
   * the subject was never applied (a missed event or a store that lost records). For a
   * revocation the terms are then unknown; the change carries the terms of whatever the
   * index holds (zero when nothing), and — being a revocation — denies every use anyway.
   */
  readonly gap: boolean;
}

/** A ConsentRegistry event name, checked against the generated ABI. */
type RegistryEventName = ConsentRegistryEvent["name"];
/** Fields of a consent-term event, checked against the generated ABI. */
type TermField = keyof Extract<ConsentRegistryEvent, { name: "ConsentGranted" }>["args"] &
  keyof Extract<ConsentRegistryEvent, { name: "ConsentUpdated" }>["args"];
/** Fields every consent change event has, revocations included. */
type ChangeField = TermField &
  keyof Extract<ConsentRegistryEvent, { name: "ConsentRevoked" }>["args"];

/** Events that carry a consent record change; the others (keys, delegates) do not. */
const termEvents = new Set<string>([
  "ConsentGranted",
  "ConsentUpdated",
] satisfies RegistryEventName[]);
const REVOKED: RegistryEventName = "ConsentRevoked";

function field(event: ConsentRegistryEventLike, name: TermField): unknown {
  const value = event.args[name];
  if (value === undefined) {
    throw new CustosError("CONSENT_CHANGE_INVALID", `${event.name} event without ${name}`, {
      details: { field: name, event: event.name },
    });
  }
  return value;
}

/**
 * Turns a ConsentRegistry event into the subject's complete record after the change.
 * `ConsentGranted`/`ConsentUpdated` carry every term; `ConsentRevoked` carries only the new
 * version, so the terms come from the record the index holds (the contract keeps the terms
 * of a revoked consent, and `consentOf` returns them). Returns undefined for events that do
 * not change a consent record (patient key, delegates).
 *
 * Field values are passed through; `ConsentIndex.apply` validates them.
 *
 * @param current - the index's record of a subject (`index.getRecord`).
 * @throws CustosError `CONSENT_CHANGE_INVALID` when a consent event lacks a field.
 * @example
 * ```ts
 * const mapped = consentEventToChange(event, (s) => index.getRecord(s));
 * if (mapped !== undefined) index.apply(mapped.change);
 * ```
 */
export function consentEventToChange(
  event: ConsentRegistryEventLike,
  current: (subject: string) => ConsentState | undefined,
): MappedConsentEvent | undefined {
  const revoked = event.name === REVOKED;
  if (!revoked && !termEvents.has(event.name)) return undefined;
  const changeField = (name: ChangeField) => field(event, name);
  const subject = changeField("subject") as string;
  const version = changeField("version") as number;
  const position = { blockNumber: event.blockNumber, logIndex: event.logIndex };
  const stored = current(subject);
  const gap = (stored?.version ?? 0) < version - 1;
  const custodian = changeField("custodian") as number;
  if (revoked) {
    return {
      change: {
        subject,
        version,
        status: "revoked",
        purposes: stored?.purposes ?? 0,
        categories: stored?.categories ?? 0,
        validFrom: stored?.validFrom ?? 0,
        validUntil: stored?.validUntil ?? 0,
        custodian,
        ...position,
      },
      gap,
    };
  }
  return {
    change: {
      subject,
      version,
      status: "active",
      purposes: field(event, "purposes") as number,
      categories: field(event, "categories") as number,
      validFrom: field(event, "validFrom") as number,
      validUntil: field(event, "validUntil") as number,
      custodian,
      ...position,
    },
    gap,
  };
}
