import {
  PROOF_SCHEMA,
  type ProofBlock,
  type ProofDocument,
  type ProofLog,
} from "./ProofDocument.ts";
import { proofInvalid } from "./proofInvalid.ts";

const QUANTITY = /^0x(?:0|[1-9a-fA-F][0-9a-fA-F]*)$/;
const BYTES = /^0x(?:[0-9a-fA-F]{2})*$/;

function bad(path: string, reason: string): never {
  throw proofInvalid("format", `${path} ${reason}`, {}, { path });
}

function record(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return bad(path, "is not an object");
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!keys.includes(key)) bad(`${path}.${key}`, "is not a field of the proof schema");
  }
  for (const key of keys) if (!(key in object)) bad(`${path}.${key}`, "is missing");
  return object;
}

function text(value: unknown, path: string, pattern: RegExp, what: string): string {
  if (typeof value !== "string" || !pattern.test(value)) bad(path, `is not ${what}`);
  return value as string;
}

function fixed(value: unknown, path: string, length: number): string {
  const hex = text(value, path, BYTES, "hex bytes");
  if (hex.length !== 2 + 2 * length) bad(path, `is not ${length} bytes`);
  return hex;
}

function list<T>(value: unknown, path: string, each: (item: unknown, path: string) => T): T[] {
  if (!Array.isArray(value)) return bad(path, "is not an array");
  return value.map((item, i) => each(item, `${path}[${i}]`));
}

function parseLog(value: unknown, path: string): ProofLog {
  const log = record(value, path, [
    "logIndex",
    "transactionIndex",
    "transactionHash",
    "address",
    "topics",
    "data",
  ]);
  const topics = list(log.topics, `${path}.topics`, (t, p) => fixed(t, p, 32));
  if (topics.length > 4) bad(`${path}.topics`, "has more than 4 topics");
  return {
    logIndex: text(log.logIndex, `${path}.logIndex`, QUANTITY, "a quantity"),
    transactionIndex: text(
      log.transactionIndex,
      `${path}.transactionIndex`,
      QUANTITY,
      "a quantity",
    ),
    transactionHash: fixed(log.transactionHash, `${path}.transactionHash`, 32),
    address: fixed(log.address, `${path}.address`, 20),
    topics,
    data: text(log.data, `${path}.data`, BYTES, "hex bytes"),
  };
}

function parseBlock(value: unknown, path: string): ProofBlock {
  const block = record(value, path, [
    "number",
    "hash",
    "header",
    "receiptNodes",
    "transactionNodes",
    "logs",
  ]);
  const nodes = (field: string) =>
    list(block[field], `${path}.${field}`, (n, p) => text(n, p, BYTES, "hex bytes"));
  return {
    number: text(block.number, `${path}.number`, QUANTITY, "a quantity"),
    hash: fixed(block.hash, `${path}.hash`, 32),
    header: text(block.header, `${path}.header`, BYTES, "hex bytes"),
    receiptNodes: nodes("receiptNodes"),
    transactionNodes: nodes("transactionNodes"),
    logs: list(block.logs, `${path}.logs`, parseLog),
  };
}

/**
 * Checks that `value` (parsed JSON) has the shape of a {@link ProofDocument} of schema
 * {@link PROOF_SCHEMA}: every field present and of its type (quantities, hex bytes of the
 * right length), no other field. Says nothing about whether the proof holds: that is
 * `verifyChainProof`'s.
 *
 * @throws CustosError `AUDIT_PROOF_INVALID` with link `format` and the `path` at fault.
 * @example
 * ```ts
 * const document = parseProofDocument(JSON.parse(text));
 * ```
 */
export function parseProofDocument(value: unknown): ProofDocument {
  const document = record(value, "proof", [
    "schema",
    "chainId",
    "consortium",
    "validatorChanges",
    "blocks",
  ]);
  if (document.schema !== PROOF_SCHEMA) {
    bad("proof.schema", `is not "${PROOF_SCHEMA}" (a proof of another format or version)`);
  }
  return {
    schema: PROOF_SCHEMA,
    chainId: text(document.chainId, "proof.chainId", QUANTITY, "a quantity"),
    consortium: fixed(document.consortium, "proof.consortium", 20),
    validatorChanges: list(document.validatorChanges, "proof.validatorChanges", parseBlock),
    blocks: list(document.blocks, "proof.blocks", parseBlock),
  };
}
