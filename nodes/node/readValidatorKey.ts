import { readFile, stat } from "node:fs/promises";
import { hexToBytes } from "@ethereumjs/util";
import { CustosError } from "../../src/errors/index.ts";

/** A validator key read from its file, with a note when the file is readable by others. */
export interface ValidatorKey {
  readonly privateKey: Uint8Array;
  /** True when group or others may read the file (the node warns; it does not refuse). */
  readonly exposed: boolean;
}

const KEY = /^(0x)?([0-9a-fA-F]{64})$/;

function invalid(field: string, path: string, reason: string, cause?: unknown): CustosError {
  return new CustosError("CONFIG_INVALID", `${field}: ${reason} (${path})`, {
    details: { field, reason, file: path },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Reads a validator's secp256k1 private key from a file holding it as 64 hex digits
 * (optionally `0x`-prefixed, surrounding whitespace ignored) — the format Besu and geth use
 * for node keys. The key never appears in errors or logs.
 *
 * @throws CustosError `CONFIG_INVALID` (naming `field`, default `validator.keyFile`; an
 *   observer's node key is `p2p.keyFile`) when the file cannot be
 *   read or does not hold exactly one 32-byte hex key.
 * @example
 * ```ts
 * const { privateKey } = await readValidatorKey("/etc/custos/validator.key");
 * ```
 */
export async function readValidatorKey(
  path: string,
  field = "validator.keyFile",
): Promise<ValidatorKey> {
  let text: string;
  let mode: number;
  try {
    text = await readFile(path, "utf8");
    mode = (await stat(path)).mode;
  } catch (cause) {
    throw invalid(field, path, "cannot be read", cause);
  }
  const match = KEY.exec(text.trim());
  if (match === null)
    throw invalid(field, path, "must hold a 32-byte private key as 64 hex digits");
  return {
    privateKey: hexToBytes(`0x${match[2] as string}`),
    exposed: (mode & 0o077) !== 0,
  };
}
