import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import { CustosError } from "../errors/index.ts";
import type { MasterKey } from "./createMasterKey.ts";
import { SecretKey, secretBytes } from "./secretKey.ts";

/**
 * HKDF salt of every project key. Fixed (not random) because a hospital must re-derive the
 * same project key from its master key after a restart; the master key supplies the entropy
 * and the salt only separates Custos' use of the key from any other.
 */
export const PROJECT_KEY_SALT = "custos/pseudonym/salt/v1";

/** Project ids: short, and free of "/" so the HKDF info string is unambiguous. */
const PROJECT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * A per-project pseudonym key: HKDF-SHA-256 of the hospital's master key. Pseudonyms made
 * with different project keys cannot be linked without the master key.
 */
export interface ProjectKey {
  /** "project:<projectId>/v<masterVersion>": safe to log. */
  readonly keyId: string;
  /** The research project (or network) this key pseudonymises for. */
  readonly projectId: string;
  /** Version of the master key it was derived from. */
  readonly keyVersion: number;
}

class Project extends SecretKey implements ProjectKey {
  readonly projectId: string;
  readonly keyVersion: number;
  constructor(bytes: Uint8Array, projectId: string, keyVersion: number) {
    super(`project:${projectId}/v${keyVersion}`, bytes);
    this.projectId = projectId;
    this.keyVersion = keyVersion;
  }
}

/**
 * The HKDF info string of a project key: `custos/pseudonym/v1/key<version>/<projectId>`.
 * "v1" versions the derivation scheme itself; `key<version>` is the master key's rotation
 * counter, so rotating the master key changes every project key.
 *
 * @example
 * ```ts
 * projectKeyInfo("trial-7", 2); // "custos/pseudonym/v1/key2/trial-7"
 * ```
 */
export function projectKeyInfo(projectId: string, keyVersion: number): string {
  return `custos/pseudonym/v1/key${keyVersion}/${projectId}`;
}

/**
 * Derives the 32-byte pseudonym key of one project from a hospital master key:
 * `HKDF-SHA-256(ikm = master, salt = PROJECT_KEY_SALT, info = projectKeyInfo(...), L = 32)`.
 *
 * @throws CustosError `PSEUDONYM_KEY_INVALID` if the project id is not 1–64 characters of
 * `[A-Za-z0-9._-]` starting with a letter or digit, or the master key was not made by
 * {@link createMasterKey}.
 * @example
 * ```ts
 * const key = deriveProjectKey(createMasterKey(hex), { projectId: "trial-7" });
 * key.keyId; // "project:trial-7/v1"
 * ```
 */
export function deriveProjectKey(master: MasterKey, options: { projectId: string }): ProjectKey {
  const { projectId } = options;
  if (typeof projectId !== "string" || !PROJECT_ID.test(projectId)) {
    throw new CustosError(
      "PSEUDONYM_KEY_INVALID",
      "project id must be 1-64 characters of [A-Za-z0-9._-] starting with a letter or digit",
      { details: { problem: "project_id" } },
    );
  }
  if (!(master instanceof SecretKey)) {
    throw new CustosError("PSEUDONYM_KEY_INVALID", "master key must come from createMasterKey", {
      details: { problem: "not_a_key" },
    });
  }
  const okm = hkdf(
    sha256,
    secretBytes(master),
    utf8ToBytes(PROJECT_KEY_SALT),
    utf8ToBytes(projectKeyInfo(projectId, master.version)),
    32,
  );
  const key = new Project(okm, projectId, master.version);
  okm.fill(0);
  return key;
}
