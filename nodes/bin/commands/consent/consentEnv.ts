import { CustosError } from "../../../../src/errors/index.ts";

/** Environment variable holding the hospital's pseudonym master key (hex, ≥ 32 bytes). */
export const MASTER_KEY_ENV = "CUSTOS_MASTER_KEY";

/** Environment variable holding the recorder's private key (hex) that signs consent transactions. */
export const RECORDER_KEY_ENV = "CUSTOS_RECORDER_KEY";

/**
 * The trimmed value of a key variable of `env`.
 *
 * @throws CustosError `CONFIG_INVALID` naming the variable when it is unset or blank.
 * @example
 * ```ts
 * const hex = consentEnv(env, MASTER_KEY_ENV, "the hospital's master key as hex");
 * ```
 */
export function consentEnv(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  what: string,
): string {
  const value = env[name];
  if (value === undefined || value.trim() === "") {
    throw new CustosError("CONFIG_INVALID", `${name} is not set: it must hold ${what}`, {
      details: { field: name },
    });
  }
  return value.trim();
}
