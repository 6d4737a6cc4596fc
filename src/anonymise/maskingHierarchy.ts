import { CustosError } from "../errors/index.ts";
import { createHierarchy, type Hierarchy } from "./Hierarchy.ts";

/** Options of {@link maskingHierarchy}. */
export interface MaskingHierarchyOptions {
  /** Which end characters are masked from first: `end` truncates ZIP/postcodes. */
  readonly from: "start" | "end";
  /** The masking character; one character. */
  readonly maskChar: string;
}

/** Default masking: from the end with `*`, i.e. postcode/ZIP truncation. */
export const defaultMaskingHierarchyOptions: MaskingHierarchyOptions = {
  from: "end",
  maskChar: "*",
};

/**
 * Builds a masking hierarchy: level `s` replaces `s` characters (from the chosen end) with the
 * mask character, until all are masked; the top level is `*`. With the defaults it is ZIP or
 * postcode truncation: `10115` → `1011*` → `101**` → … → `*****` → `*`.
 *
 * @throws ANONYMISE_HIERARCHY_INVALID when `maskChar` is not one character.
 * @example
 * ```ts
 * const zip = maskingHierarchy(["10115", "10117", "20095"]);
 * ```
 */
export function maskingHierarchy(
  values: readonly string[],
  options: MaskingHierarchyOptions = defaultMaskingHierarchyOptions,
): Hierarchy {
  const { from, maskChar } = options;
  if ([...maskChar].length !== 1) {
    throw new CustosError("ANONYMISE_HIERARCHY_INVALID", "maskChar must be one character", {
      details: { field: "maskChar", maskChar },
    });
  }
  const distinct = [...new Set(values)];
  const longest = distinct.reduce((max, v) => Math.max(max, [...v].length), 0);
  const rows = distinct.map((value) => {
    const chars = [...value];
    const row = [value];
    for (let s = 1; s <= longest; s++) {
      const masked = Math.min(s, chars.length);
      const kept = chars.length - masked;
      row.push(
        from === "end"
          ? chars.slice(0, kept).join("") + maskChar.repeat(masked)
          : maskChar.repeat(masked) + chars.slice(masked).join(""),
      );
    }
    row.push("*");
    return row;
  });
  return createHierarchy(rows);
}
