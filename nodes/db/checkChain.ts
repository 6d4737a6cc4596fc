import { bytesToBigInt, bytesToHex, equalsBytes } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { CustosError } from "../../src/errors/index.ts";
import { installedBlockHashRule } from "./blockHashRule.ts";
import type { ChainDb } from "./ChainDb.ts";
import { EMPTY_TRIE_ROOT } from "./createTrieUpdate.ts";
import { decodeRlp, type RlpValue, rlpItemAt } from "./decodeRlp.ts";
import { encodeRlp } from "./encodeRlp.ts";
import type { HeadMarker } from "./headMarker.ts";
import { type Keyspace, keyOf, keyspaces, uint64Bytes } from "./keyspaces.ts";
import { type Keccak, storedReceiptsRoot, storedTransactionsRoot } from "./storedBlockRoots.ts";
import { decodeStoredReceipts, type StoredReceipt } from "./storedReceipt.ts";

/** The part of a stored block a problem is about. */
export type ChainPart =
  /** The number → hash index entry. */
  | "canonical"
  /** The header record. */
  | "header"
  /** The parent link: the header's parentHash against the previous block. */
  | "link"
  /** The block record (header, transactions). */
  | "body"
  | "receipts"
  /** The transaction hash → location index. */
  | "txIndex"
  /** The head's state (its state-root trie node). */
  | "state"
  /** The head against the head marker. */
  | "head"
  /** The header's consensus fields (QBFT: its commit seals against the validator set). */
  | "seals";

/** One thing found missing or wrong in the chain database. */
export interface ChainProblem {
  readonly blockNumber: bigint;
  /** The block's hash, when the database or a later block tells it. */
  readonly blockHash?: Uint8Array;
  readonly part: ChainPart;
  /** What is wrong, e.g. `missing` or `does not match the header's receiptsRoot`. */
  readonly reason: string;
}

/** Options of {@link checkChain}. */
export interface ChainCheckOptions {
  /** First block to check (its link to the previous block is checked too). */
  readonly from: bigint;
  /** Last block to check (normally the head). */
  readonly to: bigint;
  /** Stop after this many problems (default 100). */
  readonly maxProblems?: number;
  /** Stops the check between chunks with `NODE_ABORTED`. */
  readonly signal?: AbortSignal;
  /** Called after each chunk with the last block checked. */
  readonly onProgress?: (checked: bigint, to: bigint) => void;
  /**
   * Checks the consensus fields of each block's header (its RLP, once it hashes to the
   * block's hash) and answers why they fail, or undefined: `custos db check` verifies the
   * commit seals here. Block 0 is not given.
   */
  readonly checkHeader?: (headerRlp: Uint8Array, number: bigint) => string | undefined;
}

/** What {@link checkChain} found. */
export interface ChainCheckReport {
  readonly from: bigint;
  readonly to: bigint;
  readonly blocks: number;
  readonly transactions: number;
  readonly problems: readonly ChainProblem[];
}

/** Blocks read per chunk at first; the chunk shrinks when blocks are large. */
const FIRST_CHUNK = 256;
/** Bytes of records one chunk should read at most (memory bound for large blocks). */
const CHUNK_BYTES = 32 * 2 ** 20;

interface Located {
  readonly number: bigint;
  readonly hash: Uint8Array | undefined;
  /** True when the canonical index holds the hash (not only a later block's parentHash). */
  readonly indexed: boolean;
}

function txIndexValue(blockHash: Uint8Array, number: bigint, index: number): Uint8Array {
  const value = new Uint8Array(44);
  value.set(blockHash, 0);
  value.set(uint64Bytes(number), 32);
  new DataView(value.buffer).setUint32(40, index);
  return value;
}

/** Reads the defined keys in one `getMany`; undefined keys read as undefined. */
async function readSome(
  db: ChainDb,
  keys: readonly (Uint8Array | undefined)[],
): Promise<(Uint8Array | undefined)[]> {
  const defined = keys.filter((k): k is Uint8Array => k !== undefined);
  const values = await db.readRaw(defined);
  let next = 0;
  return keys.map((k) => (k === undefined ? undefined : values[next++]));
}

/** The header fields the check needs, read from RLP without building EthereumJS objects. */
interface HeaderFields {
  readonly parentHash: Uint8Array;
  readonly transactionsTrie: Uint8Array;
  readonly receiptTrie: Uint8Array;
  readonly number: bigint;
}

const NO_SOURCE = { keyspace: "block", key: "" };

function headerFields(fields: RlpValue | undefined): HeaderFields | undefined {
  // parentHash, uncleHash, coinbase, stateRoot, transactionsTrie, receiptTrie, bloom,
  // difficulty, number, … (15 fields at least).
  if (!Array.isArray(fields) || fields.length < 15) return undefined;
  const [parentHash, , , , transactionsTrie, receiptTrie, , , number] = fields;
  const hash32 = (v: RlpValue | undefined): v is Uint8Array =>
    v instanceof Uint8Array && v.length === 32;
  if (!hash32(parentHash) || !hash32(transactionsTrie) || !hash32(receiptTrie)) return undefined;
  if (!(number instanceof Uint8Array) || number.length > 8) return undefined;
  return { parentHash, transactionsTrie, receiptTrie, number: bytesToBigInt(number) };
}

function decodeHeader(bytes: Uint8Array): HeaderFields | undefined {
  try {
    return headerFields(decodeRlp(bytes, NO_SOURCE));
  } catch {
    return undefined;
  }
}

/** A stored body: its header (and that header's hash) and its transactions, serialized. */
interface BodyParts {
  readonly header: HeaderFields;
  /** The block hash of the header it holds. */
  readonly hash: Uint8Array;
  readonly transactions: readonly Uint8Array[];
}

/** Hashes a header's RLP to its block hash; undefined when the bytes make no header. */
type HeaderHasher = (headerRlp: Uint8Array) => Uint8Array | undefined;

/**
 * The block hash of stored header bytes under the block-hash rule the database is read with
 * (see `installBlockHashRule`), or keccak-256 of the bytes under EthereumJS's own.
 */
function headerHasher(db: ChainDb, keccak: Keccak): HeaderHasher {
  const rule = installedBlockHashRule();
  if (rule === undefined || !rule.appliesTo(db.common)) return keccak;
  return (headerRlp) => {
    try {
      const fields = decodeRlp(headerRlp, NO_SOURCE);
      if (!Array.isArray(fields)) return undefined;
      const bytes = fields.filter((f): f is Uint8Array => f instanceof Uint8Array);
      return bytes.length === fields.length ? rule.hashFields(bytes) : undefined;
    } catch {
      return undefined;
    }
  };
}

function decodeBody(bytes: Uint8Array, hashHeader: HeaderHasher): BodyParts | undefined {
  try {
    const outer = rlpItemAt(bytes, 0, bytes.length, NO_SOURCE);
    if (!outer.list || outer.end !== bytes.length) return undefined;
    const headerItem = rlpItemAt(bytes, outer.start, outer.end, NO_SOURCE);
    const [fields, txs] = decodeRlp(bytes, NO_SOURCE) as RlpValue[];
    const header = headerFields(fields);
    const hash = hashHeader(bytes.subarray(outer.start, headerItem.end));
    if (header === undefined || hash === undefined || !Array.isArray(txs)) return undefined;
    return {
      header,
      hash,
      // A typed transaction is stored as its bytes, a legacy one as its RLP list.
      transactions: txs.map((tx) => (tx instanceof Uint8Array ? tx : encodeRlp(tx))),
    };
  } catch {
    return undefined;
  }
}

function decodeReceipts(bytes: Uint8Array, key: Uint8Array): StoredReceipt[] | undefined {
  try {
    return decodeStoredReceipts(bytes, bytesToHex(key));
  } catch {
    return undefined;
  }
}

/**
 * Checks the stored chain from `from` to `to`: for every block, the canonical index entry,
 * the header (decodes, hashes to the indexed hash by the database's block-hash rule, carries
 * its number, links to the previous block, passes `checkHeader`), the body (decodes, holds the same header, its transactions match the header's
 * transactionsRoot), the receipts (decode, one per transaction, match the receiptsRoot) and
 * the transaction index; at the head, that its state root is stored. A block missing from
 * the index is named by the hash its successor links to, and its other parts are looked up
 * under that hash.
 *
 * Reads in chunks with `getMany` (a chunk holds at most ~32 MB of records), so checking the
 * whole chain costs about one sequential read of it.
 *
 * @throws CustosError `NODE_ABORTED` when `signal` fires.
 * @example
 * ```ts
 * const report = await checkChain(chainDb, { from: 0n, to: chainDb.head()!.header.number });
 * if (report.problems.length > 0) throw chainCorruptError(report.problems);
 * ```
 */
export async function checkChain(
  db: ChainDb,
  options: ChainCheckOptions,
): Promise<ChainCheckReport> {
  const { from, to } = options;
  const maxProblems = options.maxProblems ?? 100;
  const keccak = db.common.customCrypto.keccak256 ?? keccak_256;
  const hashHeader = headerHasher(db, keccak);
  const problems: ChainProblem[] = [];
  const add = (problem: ChainProblem) => {
    if (problems.length < maxProblems) problems.push(problem);
  };
  let blocks = 0;
  let transactions = 0;
  let chunk = FIRST_CHUNK;
  // The previous block's hash (canonical, or named by the block after it).
  let previous: Uint8Array | undefined;
  if (from > 0n) {
    const [hash] = await db.readRaw([keyOf(keyspaces.canonical, uint64Bytes(from - 1n))]);
    previous = hash;
  }
  for (let start = from; start <= to && problems.length < maxProblems; ) {
    if (options.signal?.aborted === true) {
      throw new CustosError("NODE_ABORTED", "the chain check was stopped");
    }
    const end = start + BigInt(chunk) - 1n < to ? start + BigInt(chunk) - 1n : to;
    const count = Number(end - start) + 1;
    // Canonical hashes of start..end+1: block end+1 names the hash of a block missing at end.
    const numbers = Array.from({ length: count + 1 }, (_, i) => start + BigInt(i));
    const canonical = await db.readRaw(
      numbers.map((n) => keyOf(keyspaces.canonical, uint64Bytes(n))),
    );
    const indexedHeaders = await readSome(
      db,
      canonical.map((hash) => (hash === undefined ? undefined : keyOf(keyspaces.header, hash))),
    );
    const located: Located[] = numbers.slice(0, count).map((number, i) => {
      const hash = canonical[i];
      if (hash !== undefined) return { number, hash, indexed: true };
      const nextBytes = canonical[i + 1] === undefined ? undefined : indexedHeaders[i + 1];
      const next = nextBytes === undefined ? undefined : decodeHeader(nextBytes);
      return { number, hash: next?.parentHash, indexed: false };
    });
    const keysOf = (space: Keyspace) =>
      located.map((l) => (l.hash === undefined ? undefined : keyOf(space, l.hash)));
    const [headers, bodies, receiptRecords] = await Promise.all([
      readSome(db, keysOf(keyspaces.header)),
      readSome(db, keysOf(keyspaces.block)),
      readSome(db, keysOf(keyspaces.receipts)),
    ]);
    let bytes = 0;
    const indexChecks: { key: Uint8Array; expected: Uint8Array; problem: ChainProblem }[] = [];
    for (const [i, { number, hash, indexed }] of located.entries()) {
      blocks++;
      const at = (part: ChainPart, reason: string) =>
        add({
          blockNumber: number,
          ...(hash === undefined ? {} : { blockHash: hash }),
          part,
          reason,
        });
      if (!indexed) {
        at(
          "canonical",
          hash === undefined ? "missing, and no later block names its hash" : "missing",
        );
      }
      if (hash === undefined) {
        previous = undefined;
        continue;
      }
      const headerBytes = headers[i];
      const bodyBytes = bodies[i];
      const receiptBytes = receiptRecords[i];
      bytes += (headerBytes?.length ?? 0) + (bodyBytes?.length ?? 0) + (receiptBytes?.length ?? 0);
      // The header record, when it is this block's: decodes, hashes to `hash`, holds `number`.
      let header: HeaderFields | undefined;
      if (headerBytes === undefined) at("header", "missing");
      else {
        const decoded = decodeHeader(headerBytes);
        if (decoded === undefined) at("header", "cannot be decoded");
        else {
          const headerHash = hashHeader(headerBytes);
          if (headerHash === undefined) at("header", "cannot be decoded");
          else if (!equalsBytes(headerHash, hash))
            at("header", "does not hash to the block's hash");
          else if (decoded.number !== number) at("header", `holds number ${decoded.number}`);
          else header = decoded;
        }
        if (header !== undefined && number > 0n) {
          const failure = options.checkHeader?.(headerBytes, number);
          if (failure !== undefined) at("seals", failure);
        }
      }
      // The body, when it is this block's (holds the header that hashes to `hash`).
      let body: BodyParts | undefined;
      if (bodyBytes === undefined) at("body", "missing");
      else {
        const decoded = decodeBody(bodyBytes, hashHeader);
        if (decoded === undefined) at("body", "cannot be decoded");
        else if (!equalsBytes(decoded.hash, hash)) at("body", "holds another header");
        else {
          body = decoded;
          const root = storedTransactionsRoot(decoded.transactions, keccak);
          if (!equalsBytes(root, decoded.header.transactionsTrie)) {
            at("body", "transactions do not match the header's transactionsRoot");
          }
        }
      }
      const linked = header ?? body?.header;
      if (
        linked !== undefined &&
        number > 0n &&
        previous !== undefined &&
        !equalsBytes(linked.parentHash, previous)
      ) {
        at(
          "link",
          `parentHash ${bytesToHex(linked.parentHash)} is not block ${number - 1n} (${bytesToHex(previous)})`,
        );
      }
      const receipts =
        receiptBytes === undefined
          ? undefined
          : decodeReceipts(receiptBytes, keyOf(keyspaces.receipts, hash));
      if (receiptBytes === undefined) at("receipts", "missing");
      else if (receipts === undefined) at("receipts", "cannot be decoded");
      else if (body !== undefined && receipts.length !== body.transactions.length) {
        at("receipts", `${receipts.length} receipts for ${body.transactions.length} transactions`);
      } else if (
        linked !== undefined &&
        !equalsBytes(storedReceiptsRoot(receipts, keccak), linked.receiptTrie)
      ) {
        at("receipts", "do not match the header's receiptsRoot");
      }
      if (body !== undefined) {
        transactions += body.transactions.length;
        body.transactions.forEach((tx, index) => {
          const txHash = keccak(tx);
          indexChecks.push({
            key: keyOf(keyspaces.txIndex, txHash),
            expected: txIndexValue(hash, number, index),
            problem: {
              blockNumber: number,
              blockHash: hash,
              part: "txIndex",
              reason: `transaction ${index} (${bytesToHex(txHash)}) is not indexed at this block`,
            },
          });
        });
      }
      previous = hash;
    }
    const indexValues = await db.readRaw(indexChecks.map((c) => c.key));
    indexChecks.forEach((check, i) => {
      const value = indexValues[i];
      if (value === undefined || !equalsBytes(value, check.expected)) add(check.problem);
    });
    options.onProgress?.(end, to);
    chunk = Math.max(
      1,
      Math.min(FIRST_CHUNK * 4, Math.floor((chunk * CHUNK_BYTES) / Math.max(bytes, 1))),
    );
    start = end + 1n;
  }
  const head = db.head();
  const persisted = db.stateBlock();
  if (
    head !== undefined &&
    head.header.number === to &&
    persisted !== undefined &&
    persisted.number >= from &&
    problems.length < maxProblems
  ) {
    // The persisted state is what a restart resumes from (later blocks re-execute on it).
    const header = await db.headerByHash(persisted.hash).catch(() => undefined);
    const root = header?.stateRoot;
    if (
      root !== undefined &&
      !equalsBytes(root, EMPTY_TRIE_ROOT) &&
      db.trieDb.getSync(bytesToHex(root).slice(2)) === undefined
    ) {
      add({
        blockNumber: persisted.number,
        blockHash: persisted.hash,
        part: "state",
        reason: `state root ${bytesToHex(root)} is not stored`,
      });
    }
  }
  // Block order (transaction-index problems are found after their chunk's other checks).
  problems.sort((a, b) =>
    a.blockNumber < b.blockNumber ? -1 : a.blockNumber > b.blockNumber ? 1 : 0,
  );
  return { from, to, blocks, transactions, problems };
}

/**
 * Compares the database's head with the head marker: the database must hold the marker's
 * block under its number (it may be ahead of it: a crash between the commit and the marker's
 * update). Returns the problem, or undefined when they agree.
 *
 * @example
 * ```ts
 * const problem = checkHeadMarker(chainDb.head()?.header.number, await chainDb.canonicalHash(marker.number), marker);
 * ```
 */
export function checkHeadMarker(
  headNumber: bigint | undefined,
  hashAtMarker: Uint8Array | undefined,
  marker: HeadMarker,
): ChainProblem | undefined {
  const named = `block ${marker.number} (${bytesToHex(marker.hash)})`;
  if (headNumber === undefined) {
    return {
      blockNumber: 0n,
      part: "head",
      reason: `the database is empty but the head marker names ${named}`,
    };
  }
  if (headNumber < marker.number) {
    return {
      blockNumber: headNumber + 1n,
      part: "head",
      reason: `the database ends at block ${headNumber} but the head marker names ${named}: blocks ${headNumber + 1n}..${marker.number} are missing`,
    };
  }
  if (hashAtMarker === undefined || !equalsBytes(hashAtMarker, marker.hash)) {
    return {
      blockNumber: marker.number,
      blockHash: marker.hash,
      part: "head",
      reason: `the head marker names ${named} but the database holds ${hashAtMarker === undefined ? "no block" : bytesToHex(hashAtMarker)} at that number`,
    };
  }
  return undefined;
}

/**
 * The `CHAIN_DB_CORRUPT` error for a list of problems: the message names the first damaged
 * block (number, hash, and each damaged part); details carry it and every problem found.
 *
 * @example
 * ```ts
 * throw chainCorruptError(report.problems);
 * // CHAIN_DB_CORRUPT: block 213 (0x…) is damaged: canonical: missing; header: missing; …
 * ```
 */
export function chainCorruptError(problems: readonly ChainProblem[]): CustosError {
  const [first] = problems;
  if (first === undefined) throw new CustosError("INTERNAL", "chainCorruptError needs a problem");
  const same = problems.filter((p) => p.blockNumber === first.blockNumber);
  const hash = same.find((p) => p.blockHash !== undefined)?.blockHash;
  const named = `block ${first.blockNumber}${hash === undefined ? "" : ` (${bytesToHex(hash)})`}`;
  const parts = same.map((p) => `${p.part}: ${p.reason}`).join("; ");
  const more =
    problems.length > same.length ? ` (and ${problems.length - same.length} more problems)` : "";
  // A database shorter than its marker: the reason says it all.
  const message =
    first.part === "head" ? `${first.reason}${more}` : `${named} is damaged: ${parts}${more}`;
  return new CustosError("CHAIN_DB_CORRUPT", message, {
    details: {
      blockNumber: first.blockNumber.toString(),
      ...(hash === undefined ? {} : { blockHash: bytesToHex(hash) }),
      part: first.part,
      parts: same.map((p) => p.part),
      problems: problems.map((p) => ({
        blockNumber: p.blockNumber.toString(),
        ...(p.blockHash === undefined ? {} : { blockHash: bytesToHex(p.blockHash) }),
        part: p.part,
        reason: p.reason,
      })),
    },
  });
}
