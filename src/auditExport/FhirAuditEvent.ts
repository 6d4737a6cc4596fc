/**
 * The part of FHIR R4 the audit export writes: AuditEvent and a collection Bundle of them.
 * Only the elements Custos fills are typed; names, cardinalities and JSON shapes are those of
 * FHIR R4 (4.0.1), which the tests check against the official FHIR JSON schema.
 */

/** FHIR Coding. */
export interface FhirCoding {
  readonly system: string;
  readonly code: string;
  readonly display?: string;
}

/** FHIR CodeableConcept. */
export interface FhirCodeableConcept {
  readonly coding?: readonly FhirCoding[];
  readonly text?: string;
}

/** FHIR Identifier (system and value only). */
export interface FhirIdentifier {
  readonly system: string;
  readonly value: string;
}

/** FHIR Reference: a logical reference by identifier, never a resolvable URL. */
export interface FhirReference {
  /** The FHIR resource type the identifier names, when there is one (Patient, Organization…). */
  readonly type?: string;
  readonly identifier?: FhirIdentifier;
  readonly display?: string;
}

/** AuditEvent.agent.network: `type` "5" is a URI (here a CAIP-2 chain or CAIP-10 account). */
export interface FhirAuditEventNetwork {
  readonly address: string;
  readonly type: "1" | "2" | "3" | "4" | "5";
}

/** AuditEvent.agent. */
export interface FhirAuditEventAgent {
  readonly type: FhirCodeableConcept;
  readonly role?: readonly FhirCodeableConcept[];
  readonly who: FhirReference;
  readonly requestor: boolean;
  readonly network?: FhirAuditEventNetwork;
}

/** AuditEvent.source. */
export interface FhirAuditEventSource {
  readonly site?: string;
  readonly observer: FhirReference;
  readonly type?: readonly FhirCoding[];
}

/** AuditEvent.entity.detail (R4: a string or base64Binary value). */
export interface FhirAuditEventDetail {
  readonly type: string;
  readonly valueString: string;
}

/** AuditEvent.entity. */
export interface FhirAuditEventEntity {
  readonly what?: FhirReference;
  readonly type?: FhirCoding;
  readonly role?: FhirCoding;
  readonly name?: string;
  readonly description?: string;
  /** base64Binary: the request, for a query entity. */
  readonly query?: string;
  readonly detail?: readonly FhirAuditEventDetail[];
}

/** A FHIR R4 AuditEvent resource. */
export interface FhirAuditEvent {
  readonly resourceType: "AuditEvent";
  readonly id: string;
  /** The BALP profile the event conforms to; absent when it only follows one (a failure). */
  readonly meta?: { readonly profile: readonly string[] };
  readonly type: FhirCoding;
  readonly subtype: readonly FhirCoding[];
  readonly action: "C" | "R" | "U" | "D" | "E";
  /** FHIR instant (ISO 8601, UTC). */
  readonly recorded: string;
  /** "0" success, "4" minor failure, "8" serious failure, "12" major failure. */
  readonly outcome: "0" | "4" | "8" | "12";
  readonly outcomeDesc?: string;
  readonly purposeOfEvent?: readonly FhirCodeableConcept[];
  readonly agent: readonly FhirAuditEventAgent[];
  readonly source: FhirAuditEventSource;
  readonly entity: readonly FhirAuditEventEntity[];
}

/** A FHIR R4 Bundle of type `collection` holding AuditEvents. */
export interface FhirAuditEventBundle {
  readonly resourceType: "Bundle";
  readonly id: string;
  readonly type: "collection";
  /** Absent for an empty export (FHIR JSON has no empty arrays). */
  readonly entry?: readonly {
    /** `urn:uuid:` + the event's id. */
    readonly fullUrl: string;
    readonly resource: FhirAuditEvent;
  }[];
}
