import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { CustosError } from "../errors/index.ts";
import {
  assertIdentifierKind,
  canonicaliseIdentifier,
  type IdentifierKind,
  identifierKinds,
} from "./canonicaliseIdentifier.ts";
import type { ProjectKey } from "./deriveProjectKey.ts";
import { SecretKey, secretBytes } from "./secretKey.ts";

/** A 32-byte pseudonym as 0x-prefixed lowercase hex: the on-chain subject key (bytes32). */
export type Pseudonym = `0x${string}`;

/** Options of {@link createPseudonymiser}. */
export interface PseudonymiserOptions {
  /** The project key (from `deriveProjectKey`). */
  readonly key: ProjectKey;
  /** How identifiers are canonicalised (default "person_id", OMOP's subject key). */
  readonly kind?: IdentifierKind;
}

/** Defaults of {@link PseudonymiserOptions}. */
export const defaultPseudonymiserOptions = {
  kind: "person_id",
} as const satisfies Partial<PseudonymiserOptions>;

/** Keyed pseudonymisation of one project's identifiers of one kind. */
export interface Pseudonymiser {
  /** Key id of the project key in use (safe to log). */
  readonly keyId: string;
  /** Identifier kind this pseudonymiser canonicalises for. */
  readonly kind: IdentifierKind;
  /** The pseudonym of one identifier as bytes32 hex. */
  readonly pseudonymise: (identifier: string) => Pseudonym;
  /** Writes the 32-byte pseudonym of one identifier into `out` at `offset`. */
  readonly pseudonymiseInto: (identifier: string, out: Uint8Array, offset: number) => void;
  /** Pseudonyms of many identifiers, 32 bytes each, concatenated in input order. */
  readonly pseudonymiseMany: (identifiers: readonly string[]) => Uint8Array;
}

const PSEUDONYM_BYTES = 32;
const SPACE = 0x20;
const DASH = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;
const ZERO = 0x30;
const NINE = 0x39;

const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;

/**
 * Canonicalises and writes a printable-ASCII identifier at `buf[at]`, returning the bytes
 * written, or -1 to defer to {@link canonicaliseIdentifier} (non-ASCII input, or anything it
 * must refuse). For printable ASCII NFKC is the identity and the only white space and dash
 * are U+0020 and U+002D, so this equals the general path; a property test pins that.
 */
function writeAscii(id: string, kind: IdentifierKind, buf: Uint8Array, at: number): number {
  let start = 0;
  let end = id.length;
  for (let i = 0; i < end; i++) {
    const c = id.charCodeAt(i);
    if (c < SPACE || c > 0x7e) return -1;
  }
  while (start < end && id.charCodeAt(start) === SPACE) start++;
  while (end > start && id.charCodeAt(end - 1) === SPACE) end--;
  let n = 0;
  switch (kind) {
    case "mrn":
      for (let i = start; i < end; i++) {
        let c = id.charCodeAt(i);
        if (c === SPACE || c === DASH || c === DOT || c === SLASH) continue;
        if (c >= 0x41 && c <= 0x5a) c += 0x20;
        else if (!isDigit(c) && !(c >= 0x61 && c <= 0x7a)) return -1;
        if (n === identifierKinds.mrn.maxLength) return -1;
        buf[at + n++] = c;
      }
      return n === 0 ? -1 : n;
    case "nhs": {
      let sum = 0;
      for (let i = start; i < end; i++) {
        const c = id.charCodeAt(i);
        if (c === SPACE || c === DASH || c === DOT) continue;
        if (!isDigit(c) || n === 10) return -1;
        if (n < 9) sum += (c - ZERO) * (10 - n);
        buf[at + n++] = c;
      }
      if (n !== 10) return -1;
      const check = 11 - (sum % 11);
      if (check === 10 || (check === 11 ? 0 : check) !== (buf[at + 9] ?? 0) - ZERO) return -1;
      return n;
    }
    case "person_id":
      while (end - start > 1 && id.charCodeAt(start) === ZERO) start++;
      // 19 digits may exceed int64: the general path checks that with BigInt.
      if (end === start || end - start > 18) return -1;
      for (let i = start; i < end; i++) {
        const c = id.charCodeAt(i);
        if (!isDigit(c)) return -1;
        buf[at + n++] = c;
      }
      return n;
    case "opaque":
      if (end === start || end - start > identifierKinds.opaque.maxLength) return -1;
      for (let i = start; i < end; i++) buf[at + n++] = id.charCodeAt(i);
      return n;
  }
}

/**
 * Creates a keyed pseudonymiser: `HMAC-SHA-256(projectKey, utf8(kind + ":" + canonical))`,
 * the canonical form from {@link canonicaliseIdentifier}. The kind prefix keeps an MRN and a
 * person_id with the same digits apart. There is no unkeyed mode. The HMAC's inner and outer
 * key blocks are computed once and cloned per identifier, and identifiers are encoded into a
 * reused buffer, so a batch allocates only its output.
 *
 * @throws CustosError `PSEUDONYM_KEY_INVALID` if the key is not a project key;
 * `INVALID_ARGUMENT` for an unknown kind. The returned functions throw
 * `PSEUDONYM_IDENTIFIER_INVALID` (with the batch index in `pseudonymiseMany`).
 * @example
 * ```ts
 * const p = createPseudonymiser({ key: deriveProjectKey(master, { projectId: "trial-7" }) });
 * p.pseudonymise("123456"); // "0x…" (64 hex digits)
 * const many = p.pseudonymiseMany(["1", "2", "3"]); // Uint8Array(96)
 * ```
 */
export function createPseudonymiser(options: PseudonymiserOptions): Pseudonymiser {
  const kind = options.kind ?? defaultPseudonymiserOptions.kind;
  assertIdentifierKind(kind);
  if (!(options.key instanceof SecretKey) || !("projectId" in options.key)) {
    throw new CustosError("PSEUDONYM_KEY_INVALID", "key must come from deriveProjectKey", {
      details: { problem: "not_a_project_key" },
    });
  }
  // `_cloneInto` is how noble itself reuses a keyed HMAC state (its hkdf and pbkdf2 do); it is
  // underscore-public, so @noble/hashes stays exact-pinned and a property test against the
  // one-shot hmac guards the result.
  const base = hmac.create(sha256, secretBytes(options.key));
  const work = base.clone();
  const encoder = new TextEncoder();
  const prefix = encoder.encode(`${kind}:`);
  // Longest canonical form: 256 UTF-16 units, at most 3 UTF-8 bytes each.
  const scratch = new Uint8Array(prefix.length + 3 * identifierKinds.opaque.maxLength);
  scratch.set(prefix);
  const body = scratch.subarray(prefix.length);

  // Views of the scratch buffer by message length and one digest buffer, made once: the hot
  // loop then allocates nothing per identifier.
  const messages: Uint8Array[] = [];
  const digest = new Uint8Array(PSEUDONYM_BYTES);

  function hashInto(identifier: string, out: Uint8Array, offset: number, index?: number): void {
    let n =
      typeof identifier === "string" ? writeAscii(identifier, kind, scratch, prefix.length) : -1;
    if (n < 0) {
      const canonical = canonicaliseIdentifier(identifier, kind, index);
      n = encoder.encodeInto(canonical, body).written;
    }
    const length = prefix.length + n;
    let message = messages[length];
    if (message === undefined) {
      message = scratch.subarray(0, length);
      messages[length] = message;
    }
    base._cloneInto(work);
    work.update(message);
    work.digestInto(digest);
    out.set(digest, offset);
  }

  return {
    keyId: options.key.keyId,
    kind,
    pseudonymise(identifier) {
      const out = new Uint8Array(PSEUDONYM_BYTES);
      hashInto(identifier, out, 0);
      return `0x${bytesToHex(out)}`;
    },
    pseudonymiseInto(identifier, out, offset) {
      if (!Number.isSafeInteger(offset) || offset < 0 || offset + PSEUDONYM_BYTES > out.length) {
        throw new CustosError("INVALID_ARGUMENT", "offset leaves no room for 32 bytes in out", {
          details: { field: "offset" },
        });
      }
      hashInto(identifier, out, offset);
    },
    pseudonymiseMany(identifiers) {
      const out = new Uint8Array(identifiers.length * PSEUDONYM_BYTES);
      for (let i = 0; i < identifiers.length; i++) {
        hashInto(identifiers[i] as string, out, i * PSEUDONYM_BYTES, i);
      }
      return out;
    },
  };
}
