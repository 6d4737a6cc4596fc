import { invalidArgument } from "./invalidArgument.ts";

/**
 * Checks that `sites` is an array of objects with distinct non-empty `site` ids and returns
 * it sorted by id (UTF-16 code-unit order, not locale order). Pooling always works on this
 * order, so the result does not depend on the order in which hospitals answered: the same
 * answers give bit-identical pooled figures, which a report hash relies on.
 *
 * @throws CustosError `INVALID_ARGUMENT` naming `field` (and the index) for a non-array, a
 * non-object entry, an empty or non-string id, or a duplicate id.
 * @example
 * ```ts
 * sortedSites([{ site: "H2" }, { site: "H1" }], "sites"); // H1, H2
 * ```
 */
export function sortedSites<T extends { readonly site: string }>(
  sites: readonly T[],
  field: string,
): T[] {
  if (!Array.isArray(sites)) invalidArgument(`${field} must be an array`, { field });
  const seen = new Set<string>();
  sites.forEach((entry: unknown, index) => {
    const site = typeof entry === "object" && entry !== null ? Reflect.get(entry, "site") : null;
    if (typeof site !== "string" || site === "") {
      invalidArgument(`${field}[${index}].site must be a non-empty string`, {
        field: `${field}[${index}].site`,
        index,
      });
    }
    if (seen.has(site)) {
      invalidArgument(`site ${site} appears twice`, { field: `${field}[${index}].site`, site });
    }
    seen.add(site);
  });
  return [...sites].sort((x, y) => (x.site < y.site ? -1 : x.site > y.site ? 1 : 0));
}
