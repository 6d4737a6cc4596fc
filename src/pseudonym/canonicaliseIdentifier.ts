import { CustosError } from "../errors/index.ts";

/**
 * Identifier kinds and how each is canonicalised before hashing (see docs/pseudonyms.md).
 * Every kind is NFKC-normalised and trimmed; the others differ in what they remove and allow.
 */
export const identifierKinds = {
  /** Hospital medical record number: case-folded, spaces/dashes/dots/slashes removed, [0-9a-z]. */
  mrn: { maxLength: 64 },
  /** NHS number: spaces/dashes/dots removed, 10 digits with a valid modulus-11 check digit. */
  nhs: { maxLength: 10 },
  /** OMOP CDM person_id: a non-negative int64 in decimal, leading zeros removed. */
  person_id: { maxLength: 19 },
  /** Anything else: NFKC and trim only, case preserved (opaque tokens may be case-sensitive). */
  opaque: { maxLength: 256 },
} as const satisfies Record<string, { maxLength: number }>;

/** An identifier kind. */
export type IdentifierKind = keyof typeof identifierKinds;

/**
 * Why an identifier was refused. Deliberately coarse: it names the rule broken, never the
 * offending characters, so errors cannot leak a patient identifier.
 */
export type IdentifierProblem =
  | "not_a_string"
  | "malformed_unicode"
  | "control_character"
  | "empty"
  | "too_long"
  | "characters_not_allowed"
  | "length"
  | "check_digit"
  | "out_of_range";

const MESSAGES: Readonly<Record<IdentifierProblem, string>> = {
  not_a_string: "identifier is not a string",
  malformed_unicode: "identifier contains an unpaired UTF-16 surrogate",
  control_character: "identifier contains a control or invisible formatting character",
  empty: "identifier is empty after canonicalisation",
  too_long: "identifier is longer than its kind allows",
  characters_not_allowed: "identifier contains characters its kind does not allow",
  length: "identifier has the wrong number of digits for its kind",
  check_digit: "identifier's check digit is wrong",
  out_of_range: "identifier is outside the range of its kind",
};

/** The typed error of a refused identifier; `index` is the position in a batch, if any. */
function identifierError(problem: IdentifierProblem, kind: string, index?: number): CustosError {
  const where = index === undefined ? "" : ` (batch index ${index})`;
  return new CustosError("PSEUDONYM_IDENTIFIER_INVALID", `${MESSAGES[problem]}${where}`, {
    details: index === undefined ? { kind, problem } : { kind, problem, index },
  });
}

/**
 * Checks that a run-time value is a known {@link IdentifierKind}.
 *
 * @throws CustosError `INVALID_ARGUMENT` naming the allowed kinds.
 * @example
 * ```ts
 * assertIdentifierKind(options.kind);
 * ```
 */
export function assertIdentifierKind(kind: unknown): asserts kind is IdentifierKind {
  if (typeof kind !== "string" || !Object.hasOwn(identifierKinds, kind)) {
    throw new CustosError(
      "INVALID_ARGUMENT",
      `identifier kind must be one of ${Object.keys(identifierKinds).join(", ")}`,
      { details: { field: "kind" } },
    );
  }
}

// With the u flag a surrogate pair is one code point, so this matches unpaired halves only.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const CONTROL = /[\p{Cc}\p{Cf}]/u;
const MRN_SEPARATORS = /[\p{White_Space}\p{Pd}./]/gu;
const NHS_SEPARATORS = /[\p{White_Space}\p{Pd}.]/gu;
const INT64_MAX = 9223372036854775807n;

function nhsCheckDigitValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[9]);
}

/**
 * Canonicalises an identifier so that the spellings of one identifier a hospital's systems
 * produce (" 123-456-7890 ", "１２３ ４５６ ７８９０") hash to one pseudonym. Steps: Unicode
 * NFKC, trim, refuse control/format characters, then per kind: `mrn` case-folds and drops
 * white space, dashes, dots and slashes; `nhs` drops white space, dashes and dots and checks
 * the modulus-11 digit; `person_id` drops leading zeros; `opaque` keeps case and inner
 * characters. Idempotent: canonicalising a canonical identifier returns it unchanged.
 *
 * @throws CustosError `PSEUDONYM_IDENTIFIER_INVALID` with `details.problem` (and
 * `details.index` when `index` is given) — never the identifier itself.
 * @example
 * ```ts
 * canonicaliseIdentifier(" ab-12.34 ", "mrn"); // "ab1234"
 * canonicaliseIdentifier("943 476 5919", "nhs"); // "9434765919"
 * canonicaliseIdentifier("000042", "person_id"); // "42"
 * ```
 */
export function canonicaliseIdentifier(
  value: unknown,
  kind: IdentifierKind,
  index?: number,
): string {
  assertIdentifierKind(kind);
  if (typeof value !== "string") throw identifierError("not_a_string", kind, index);
  if (LONE_SURROGATE.test(value)) throw identifierError("malformed_unicode", kind, index);
  let text = value.normalize("NFKC").trim();
  if (CONTROL.test(text)) throw identifierError("control_character", kind, index);
  switch (kind) {
    case "mrn":
      // Case folding after NFKC; only ASCII survives the check below, where folding is exact.
      text = text.replace(MRN_SEPARATORS, "").toLowerCase();
      if (text.length > 0 && !/^[0-9a-z]+$/.test(text)) {
        throw identifierError("characters_not_allowed", kind, index);
      }
      break;
    case "nhs":
      text = text.replace(NHS_SEPARATORS, "");
      if (text.length > 0 && !/^[0-9]+$/.test(text)) {
        throw identifierError("characters_not_allowed", kind, index);
      }
      if (text.length > 0 && text.length !== 10) throw identifierError("length", kind, index);
      if (text.length > 0 && !nhsCheckDigitValid(text)) {
        throw identifierError("check_digit", kind, index);
      }
      break;
    case "person_id":
      if (text.length > 0 && !/^[0-9]+$/.test(text)) {
        throw identifierError("characters_not_allowed", kind, index);
      }
      text = text.replace(/^0+(?=[0-9])/, "");
      if (text.length > identifierKinds.person_id.maxLength || BigInt(text || "0") > INT64_MAX) {
        throw identifierError("out_of_range", kind, index);
      }
      break;
    case "opaque":
      break;
  }
  if (text.length === 0) throw identifierError("empty", kind, index);
  if (text.length > identifierKinds[kind].maxLength) throw identifierError("too_long", kind, index);
  return text;
}
