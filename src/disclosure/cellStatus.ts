/**
 * Status of an extended cell after suppression, stored one byte per cell in a `Uint8Array`
 * parallel to `CountTable.values`.
 *
 * @example
 * ```ts
 * const hidden = status[i] !== cellStatus.released;
 * ```
 */
export const cellStatus = {
  /** Released (possibly rounded). */
  released: 0,
  /** Suppressed because its count is below the minimum cell size. */
  primary: 1,
  /** Suppressed so that a primary cell cannot be derived from the table's relations. */
  secondary: 2,
} as const;

/** One of the {@link cellStatus} values. */
export type CellStatus = (typeof cellStatus)[keyof typeof cellStatus];
