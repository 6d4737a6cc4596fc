import { sha1 } from "@noble/hashes/legacy.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";

/** RFC 9562's namespace for names that are URLs. */
const URL_NAMESPACE = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";

/**
 * The name-based (version 5, SHA-1) UUID of `name` in `namespace` (RFC 9562 §5.5): the same
 * name always gives the same UUID, so ids derived from chain locations make an export
 * reproducible byte for byte. SHA-1 only spreads names over the UUID space here; nothing
 * relies on it resisting collisions an attacker crafts.
 *
 * @example
 * ```ts
 * nameBasedUuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com"); // "2ed6657d-e927-568b-95e1-2665a8aea6a2"
 * ```
 */
export function nameBasedUuid(namespace: string, name: string): string {
  const space = hexToBytes(namespace.replaceAll("-", ""));
  const text = utf8ToBytes(name);
  const input = new Uint8Array(space.length + text.length);
  input.set(space);
  input.set(text, space.length);
  const bytes = sha1(input).slice(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytesToHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The namespace of every id the audit export derives: the version 5 UUID of the URL
 * "https://w3id.org/custos/fhir/AuditEvent".
 */
export const AUDIT_EVENT_NAMESPACE = nameBasedUuid(
  URL_NAMESPACE,
  "https://w3id.org/custos/fhir/AuditEvent",
);
