import { dataCategories, purposeCodes } from "../consent/index.ts";
import { CustosError } from "../errors/index.ts";
import type { ConsentTerms } from "../ledger/index.ts";

/** The largest unix time a terms field may hold (the contract packs it in 40 bits). */
const TIME_LIMIT = 2 ** 40;

/**
 * A terms bitmap from its number, one label ("GRU") or a list of labels (case-insensitive).
 *
 * @throws CustosError `CONSENT_IMPORT_INVALID` for a value of another type or out of range;
 *   `CONSENT_TERMS_UNKNOWN_CODE` naming a label that is not in `codes`.
 */
function termsWord(
  value: unknown,
  field: "purposes" | "categories",
  codes: Readonly<Record<string, { readonly bit: number }>>,
): number {
  const what = field === "purposes" ? "DUO label" : "category";
  const bad = () =>
    new CustosError(
      "CONSENT_IMPORT_INVALID",
      `terms.${field} must be a ${what}, a list of them or a uint32`,
      { details: { field: `terms.${field}` } },
    );
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw bad();
    return value;
  }
  const labels = typeof value === "string" ? [value] : value;
  if (!Array.isArray(labels)) throw bad();
  let word = 0;
  for (const label of labels) {
    if (typeof label !== "string") throw bad();
    const key = label.trim().toUpperCase();
    const code = Object.hasOwn(codes, key) ? codes[key] : undefined;
    if (code === undefined) {
      const shown = label.length > 40 ? `${label.slice(0, 40)}…` : label;
      throw new CustosError(
        "CONSENT_TERMS_UNKNOWN_CODE",
        `terms.${field}: unknown ${what} "${shown}" (known: ${Object.keys(codes).join(", ")})`,
        { details: { field: `terms.${field}`, code: shown, known: Object.keys(codes) } },
      );
    }
    word = (word | code.bit) >>> 0;
  }
  return word;
}

/**
 * The shared terms of an import from their JSON (text, or already parsed):
 * `{"purposes", "categories", "validFrom"?, "validUntil"?}`. Purposes are a DUO label
 * (`"GRU"`), a list of them (`["HMB","NPU"]`) or the 32-bit word as a number; categories a
 * category name (`"CONDITIONS"`), a list of them or the word; labels and names are
 * case-insensitive. `validFrom` and `validUntil` are unix seconds (0, the default, means
 * unbounded).
 *
 * @throws CustosError `CONSENT_IMPORT_INVALID` naming the field (`terms`,
 *   `terms.purposes`, `terms.validFrom`, …) for text that is not JSON, a value that is no
 *   object, or a field of the wrong type or range; `CONSENT_TERMS_UNKNOWN_CODE` naming an
 *   unknown label or category and the known ones.
 * @example
 * ```ts
 * parseConsentTerms('{"purposes":["HMB","NCU"],"categories":"DRUGS"}');
 * // { purposes: 260, categories: 8, validFrom: 0, validUntil: 0 }
 * ```
 */
export function parseConsentTerms(input: unknown): ConsentTerms {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch {
      throw new CustosError("CONSENT_IMPORT_INVALID", "terms: not JSON", {
        details: { field: "terms" },
      });
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CustosError("CONSENT_IMPORT_INVALID", "terms: must be a JSON object", {
      details: { field: "terms" },
    });
  }
  const terms = value as Record<string, unknown>;
  const time = (field: "validFrom" | "validUntil"): number => {
    const v = terms[field] ?? 0;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0 || v >= TIME_LIMIT) {
      throw new CustosError("CONSENT_IMPORT_INVALID", `terms.${field} must be unix seconds`, {
        details: { field: `terms.${field}` },
      });
    }
    return v;
  };
  return {
    purposes: termsWord(terms.purposes, "purposes", purposeCodes),
    categories: termsWord(terms.categories, "categories", dataCategories),
    validFrom: time("validFrom"),
    validUntil: time("validUntil"),
  };
}
