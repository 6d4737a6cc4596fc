import type { Bytes32 } from "../consent/index.ts";
import { type HashPort, sha256 } from "../consentIndex/index.ts";
import { CustosError } from "../errors/index.ts";

/** The fields of a consent record an import sets, as a verification compares them. */
export interface ImportedConsentRecord {
  readonly status: "none" | "active" | "revoked";
  readonly purposes: number;
  readonly categories: number;
  readonly validFrom: number;
  readonly validUntil: number;
  readonly custodian: number;
}

/** The record's fields in the order they are compared and committed. */
export const importedRecordFields = [
  "status",
  "purposes",
  "categories",
  "validFrom",
  "validUntil",
  "custodian",
] as const satisfies readonly (keyof ImportedConsentRecord)[];

const LEAF_TAG = 0;
const NODE_TAG = 1;
const ROOT_TAG = 2;
const STATUS_CODES = { none: 0, active: 1, revoked: 2 } as const;
/** Leaf input: tag (1), subject (32), status (1), purposes (4), categories (4), validFrom (6), validUntil (6), custodian (4). */
const LEAF_BYTES = 58;
const HASH_BYTES = 32;

function writeUint48(view: DataView, offset: number, value: number): void {
  view.setUint16(offset, Math.floor(value / 2 ** 32));
  view.setUint32(offset + 2, value >>> 0);
}

function toHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

/**
 * The consent-index root over the rows of an import: a Merkle commitment to the consent
 * record each row's subject has, row by row in file order. Built twice by the verification
 * pass — from the records the file asks for, and from the records the hospital's consent
 * index (synced from the chain's events) holds for the same subjects — and compared.
 *
 * The cohort commitment of `custos/consent-index` commits to a set of pseudonyms only, not to
 * their terms, so it cannot say that the chain holds the file's terms; this root is the
 * smallest one that does, with the same hashing: leaf `H(0x00 ‖ subject ‖ status ‖ purposes ‖
 * categories ‖ validFrom ‖ validUntil ‖ custodian)` (big-endian: 1, 4, 4, 6, 6 and 4 bytes;
 * status 0 none, 1 active, 2 revoked), inner node `H(0x01 ‖ left ‖ right)` with an odd last
 * node carried up unchanged, published root `H(0x02 ‖ uint64be count ‖ top)` (32 zero bytes
 * for no rows), `H` SHA-256. One record per leaf, in the file's order, so it is built as the
 * file streams, in O(log n) memory. The version is left out (the file does not set it), and
 * so is the document hash, which the index does not keep: the verification compares document
 * hashes on its sample instead.
 *
 * @example
 * ```ts
 * const root = new ConsentImportRoot();
 * root.add(subject, { status: "active", ...terms, custodian: 1 });
 * root.root(); // "0x…"
 * ```
 */
export class ConsentImportRoot {
  readonly #hash: HashPort;
  readonly #leaf = new Uint8Array(LEAF_BYTES);
  readonly #leafView = new DataView(this.#leaf.buffer);
  readonly #node = new Uint8Array(1 + 2 * HASH_BYTES);
  /** `#levels[l]`: a node of level l waiting for its right sibling. */
  readonly #levels: (Uint8Array | undefined)[] = [];
  #count = 0;

  /** `hash`: SHA-256 (the default) for roots that match other parties'. */
  constructor(hash: HashPort = sha256) {
    this.#hash = hash;
    this.#leaf[0] = LEAF_TAG;
    this.#node[0] = NODE_TAG;
  }

  /** Rows added so far. */
  get count(): number {
    return this.#count;
  }

  /**
   * Adds the next row's subject and record.
   *
   * @throws CustosError `INVALID_ARGUMENT` for a subject that is not bytes32 hex.
   */
  add(subject: Bytes32, record: ImportedConsentRecord): void {
    const bytes = Buffer.from(subject.slice(2), "hex");
    if (bytes.length !== 32 || subject.length !== 66) {
      throw new CustosError("INVALID_ARGUMENT", "subject must be bytes32 hex", {
        details: { field: "subject" },
      });
    }
    const leaf = this.#leaf;
    const view = this.#leafView;
    leaf.set(bytes, 1);
    view.setUint8(33, STATUS_CODES[record.status]);
    view.setUint32(34, record.purposes >>> 0);
    view.setUint32(38, record.categories >>> 0);
    writeUint48(view, 42, record.validFrom);
    writeUint48(view, 48, record.validUntil);
    view.setUint32(54, record.custodian >>> 0);
    let node = this.#digest(leaf);
    let level = 0;
    for (let left = this.#levels[level]; left !== undefined; left = this.#levels[level]) {
      node = this.#pair(left, node);
      this.#levels[level] = undefined;
      level++;
    }
    this.#levels[level] = node;
    this.#count++;
  }

  /** The published root over the rows added so far (0x hex). */
  root(): `0x${string}` {
    let carry: Uint8Array | undefined;
    for (const node of this.#levels) {
      if (node !== undefined) carry = carry === undefined ? node : this.#pair(node, carry);
    }
    const input = new Uint8Array(1 + 8 + HASH_BYTES);
    input[0] = ROOT_TAG;
    const view = new DataView(input.buffer);
    view.setUint32(1, Math.floor(this.#count / 2 ** 32));
    view.setUint32(5, this.#count >>> 0);
    if (carry !== undefined) input.set(carry, 9);
    return toHex(this.#digest(input));
  }

  #pair(left: Uint8Array, right: Uint8Array): Uint8Array {
    this.#node.set(left, 1);
    this.#node.set(right, 1 + HASH_BYTES);
    return this.#digest(this.#node);
  }

  #digest(data: Uint8Array): Uint8Array {
    const digest = this.#hash(data);
    if (!(digest instanceof Uint8Array) || digest.length !== HASH_BYTES) {
      throw new CustosError("INVALID_ARGUMENT", "hash port must return 32 bytes", {
        details: { field: "hash" },
      });
    }
    return digest;
  }
}
