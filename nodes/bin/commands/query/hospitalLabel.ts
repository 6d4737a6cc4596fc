/**
 * How a hospital is named in progress lines and summaries: `hospital 2 (General)` with its
 * name from the config, or `hospital 2` when the config has none.
 *
 * @example
 * ```ts
 * hospitalLabel(2, session.nameOf); // "hospital 2 (General)"
 * ```
 */
export function hospitalLabel(
  hospitalId: number,
  nameOf: (hospitalId: number) => string | undefined,
): string {
  const name = nameOf(hospitalId);
  return name === undefined ? `hospital ${hospitalId}` : `hospital ${hospitalId} (${name})`;
}
