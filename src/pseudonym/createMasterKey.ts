import { CustosError } from "../errors/index.ts";
import { SecretKey } from "./secretKey.ts";

/** Minimum master key length: HMAC-SHA-256's output size, so the key is never the weak link. */
export const MASTER_KEY_MIN_BYTES = 32;

/**
 * A hospital's pseudonym master key. Held only by the hospital; project keys are derived
 * from it. Prints as `[redacted key master/v<version>]` wherever it ends up.
 */
export interface MasterKey {
  /** "master/v<version>": safe to log. */
  readonly keyId: string;
  /** Rotation counter: a new master key gets a new version, and so new project keys. */
  readonly version: number;
}

/** Options of {@link createMasterKey}. */
export interface MasterKeyOptions {
  /** Rotation counter of this master key, a positive integer (default 1). */
  readonly version?: number;
}

/** Defaults of {@link MasterKeyOptions}. */
export const defaultMasterKeyOptions = { version: 1 } as const satisfies MasterKeyOptions;

class Master extends SecretKey implements MasterKey {
  readonly version: number;
  constructor(bytes: Uint8Array, version: number) {
    super(`master/v${version}`, bytes);
    this.version = version;
  }
}

function keyError(problem: string, message: string): CustosError {
  return new CustosError("PSEUDONYM_KEY_INVALID", message, { details: { problem } });
}

function parseHex(text: string): Uint8Array {
  const hex = text.startsWith("0x") || text.startsWith("0X") ? text.slice(2) : text;
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw keyError("not_hex", "master key must be an even number of hex digits");
  }
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/**
 * Wraps a hospital's master key (raw bytes, or hex with or without `0x`) in a redacting key
 * object. The bytes are copied, so the caller may wipe its buffer afterwards.
 *
 * @throws CustosError `PSEUDONYM_KEY_INVALID` if the key is not hex, shorter than 32 bytes,
 * or the version is not a positive integer. The message never contains key material.
 * @example
 * ```ts
 * const master = createMasterKey(process.env.CUSTOS_MASTER_KEY ?? "", { version: 2 });
 * String(master); // "[redacted key master/v2]"
 * ```
 */
export function createMasterKey(
  material: Uint8Array | string,
  options: MasterKeyOptions = {},
): MasterKey {
  const version = options.version ?? defaultMasterKeyOptions.version;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw keyError("version", "master key version must be a positive integer");
  }
  const bytes = typeof material === "string" ? parseHex(material.trim()) : material;
  if (bytes.length < MASTER_KEY_MIN_BYTES) {
    throw keyError(
      "too_short",
      `master key must be at least ${MASTER_KEY_MIN_BYTES} bytes (got ${bytes.length})`,
    );
  }
  return new Master(bytes, version);
}
