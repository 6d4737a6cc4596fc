import type { BoundedCache } from "./createBoundedCache.ts";
import type { CommitterRecovery } from "./createCommitterRecovery.ts";
import { createTrieProofReader, trieIndexKey } from "./createTrieProofReader.ts";
import { decodeQbftHeader, type ProvenHeader } from "./decodeQbftHeader.ts";
import { decodeReceiptLogs, type ReceiptLog } from "./decodeReceipt.ts";
import { bytesToHex, hexToBytes } from "./hexBytes.ts";
import type { Keccak256 } from "./Keccak256.ts";
import type { ProofBlock, ProofLog } from "./ProofDocument.ts";
import { failAt, type ProofPlace } from "./proofInvalid.ts";
import type { VerifiedLog } from "./VerifiedLog.ts";
import { verifyCommitSeals } from "./verifyCommitSeals.ts";

/** A validator set in force at some height, and a text naming it exactly. */
export interface SetInForce {
  /** Lowercase hex, ascending. */
  readonly validators: readonly string[];
  /** The validators joined with commas: equal keys, equal sets. */
  readonly key: string;
}

/** A verified proof item: its block number and its proven logs (raw, and placed). */
export interface VerifiedProofItem {
  readonly number: number;
  readonly raw: readonly ReceiptLog[];
  readonly logs: readonly VerifiedLog[];
}

/** An item a verifier has verified before, under the set its header lists. */
export interface CachedProofItem {
  readonly item: ProofBlock;
  readonly setKey: string;
  readonly result: VerifiedProofItem;
}

/** What verifying an item needs besides the item: where the proof stands. */
export interface ProofItemContext {
  /** The anchor's first block: earlier blocks cannot be proven. */
  readonly fromBlock: number;
  /** The set in force at `block`, from the anchor and the changes verified so far. */
  readonly setAt: (block: number) => SetInForce;
  /** The previous item's block number in the same list (−1 for the first). */
  readonly previous: number;
  readonly committerOf: CommitterRecovery;
  readonly keccak256: Keccak256;
  /** Items verified before, by their claimed hash (see {@link verifyProofItem}). */
  readonly cache: BoundedCache<CachedProofItem>;
}

const bytes = (hex: string) => hexToBytes(hex) as Uint8Array;

function quantity(hex: string, field: string, fail: (reason: string) => never): number {
  const value = Number(BigInt(hex));
  if (!Number.isSafeInteger(value)) fail(`the claimed ${field} ${hex} is above 2^53`);
  return value;
}

/** The logs of a block's receipts, loaded in order as far as the claims need. */
function receiptsReader(
  item: ProofBlock,
  header: ProvenHeader,
  place: ProofPlace,
  keccak256: Keccak256,
) {
  const trie = createTrieProofReader(
    header.receiptsRoot,
    item.receiptNodes.map(bytes),
    failAt("receiptsRoot", place),
    keccak256,
  );
  const receipts: ReceiptLog[][] = [];
  let covered = 0;
  return {
    trie,
    /** The transaction index and log of block-wide log `logIndex`. */
    locate(logIndex: number): { transactionIndex: number; log: ReceiptLog } {
      while (covered <= logIndex) {
        const value = trie.get(trieIndexKey(receipts.length));
        if (value === undefined) {
          return failAt("log", place)(`the block has no log ${logIndex}`, { logIndex });
        }
        const logs = decodeReceiptLogs(value, failAt("receipt", place));
        receipts.push(logs);
        covered += logs.length;
      }
      let first = covered;
      for (let transactionIndex = receipts.length - 1; transactionIndex >= 0; transactionIndex--) {
        const logs = receipts[transactionIndex] as ReceiptLog[];
        first -= logs.length;
        if (logIndex >= first)
          return { transactionIndex, log: logs[logIndex - first] as ReceiptLog };
      }
      return failAt("log", place)(`the block has no log ${logIndex}`, { logIndex });
    },
  };
}

/** The checks that depend on where an item stands in the proof, not on the item alone. */
function checkAnchor(number: number, fromBlock: number, at: ProofPlace): void {
  if (number < fromBlock) {
    failAt("anchor", at)(`block ${number} is before the anchor's block ${fromBlock}`);
  }
}

function checkAscending(number: number, previous: number, at: ProofPlace): void {
  if (number <= previous) failAt("header", at)("blocks are not in ascending order, once each");
}

const sameStrings = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((text, i) => text === b[i]);

/**
 * Whether two items have the same text in every field: everything an item's verdict depends
 * on besides the set in force, the anchor's block and the previous item. (Comparing the
 * fields costs less than hashing them into one key: the strings compare as memory.)
 */
function sameItem(a: ProofBlock, b: ProofBlock): boolean {
  return (
    a.header === b.header &&
    a.number === b.number &&
    sameStrings(a.receiptNodes, b.receiptNodes) &&
    sameStrings(a.transactionNodes, b.transactionNodes) &&
    a.logs.length === b.logs.length &&
    a.logs.every((log, i) => {
      const other = b.logs[i] as ProofLog;
      return (
        log.logIndex === other.logIndex &&
        log.transactionIndex === other.transactionIndex &&
        log.transactionHash === other.transactionHash &&
        log.address === other.address &&
        log.data === other.data &&
        sameStrings(log.topics, other.topics)
      );
    })
  );
}

function verifyUncached(
  item: ProofBlock,
  place: ProofPlace,
  context: ProofItemContext,
): VerifiedProofItem {
  const header = decodeQbftHeader(
    bytes(item.header),
    failAt("header", place),
    failAt("seals", place),
    context.keccak256,
  );
  const at: ProofPlace = { ...place, block: header.number };
  checkAnchor(header.number, context.fromBlock, at);
  const expected = context.setAt(header.number).validators;
  const listed = header.validators.map(bytesToHex);
  if (listed.length !== expected.length || listed.some((v, i) => v !== expected[i])) {
    failAt("validatorSet", at)("the header's validators are not the set in force at its height", {
      expected: [...expected],
      actual: listed,
    });
  }
  const members = new Set(expected);
  verifyCommitSeals(header, members, context.committerOf, failAt("seals", at));
  const failHeader = failAt("header", at);
  if (!members.has(bytesToHex(header.coinbase))) {
    failHeader(`the proposer ${bytesToHex(header.coinbase)} is not a validator`);
  }
  checkAscending(header.number, context.previous, at);
  if (quantity(item.number, "number", failHeader) !== header.number) {
    failHeader(`the claimed number ${item.number} is not the header's ${header.number}`);
  }
  const hash = bytesToHex(header.hash);
  if (item.hash.toLowerCase() !== hash) {
    failHeader(`the claimed hash ${item.hash} is not the header's ${hash}`);
  }

  const failLog = failAt("log", at);
  const receipts = receiptsReader(item, header, at, context.keccak256);
  let lastIndex = -1;
  const located = item.logs.map((claim) => {
    const logIndex = quantity(claim.logIndex, "logIndex", failLog);
    if (logIndex <= lastIndex) failLog("the claimed logs are not in ascending log-index order");
    lastIndex = logIndex;
    return { claim, logIndex, ...receipts.locate(logIndex) };
  });
  const transactions = createTrieProofReader(
    header.transactionsRoot,
    item.transactionNodes.map(bytes),
    failAt("transactionsRoot", at),
    context.keccak256,
  );
  const hashes = new Map<number, string>();
  for (const { transactionIndex } of located) {
    if (hashes.has(transactionIndex)) continue;
    const raw = transactions.get(trieIndexKey(transactionIndex));
    if (raw === undefined) {
      failAt("transactionsRoot", at)(`the block has no transaction ${transactionIndex}`);
    }
    hashes.set(transactionIndex, bytesToHex(context.keccak256(raw as Uint8Array)));
  }
  if (receipts.trie.unused() > 0) {
    failAt(
      "receiptsRoot",
      at,
    )(`${receipts.trie.unused()} receipts-trie nodes prove nothing claimed`);
  }
  if (transactions.unused() > 0) {
    failAt(
      "transactionsRoot",
      at,
    )(`${transactions.unused()} transactions-trie nodes prove nothing claimed`);
  }

  const logs = located.map(({ claim, logIndex, transactionIndex, log }): VerifiedLog => {
    const verified: VerifiedLog = {
      address: bytesToHex(log.address),
      topics: log.topics.map(bytesToHex),
      data: bytesToHex(log.data),
      blockNumber: header.number,
      blockHash: hash,
      blockTimestamp: header.timestamp,
      transactionHash: hashes.get(transactionIndex) as string,
      transactionIndex,
      logIndex,
    };
    const mismatch =
      quantity(claim.transactionIndex, "transactionIndex", failLog) !== transactionIndex
        ? "transactionIndex"
        : claim.transactionHash.toLowerCase() !== verified.transactionHash
          ? "transactionHash"
          : claim.address.toLowerCase() !== verified.address
            ? "address"
            : claim.topics.length !== verified.topics.length ||
                claim.topics.some((t, i) => t.toLowerCase() !== verified.topics[i])
              ? "topics"
              : claim.data.toLowerCase() !== verified.data
                ? "data"
                : undefined;
    if (mismatch !== undefined) {
      failLog(`the claimed ${mismatch} of log ${logIndex} is not the proven one`, {
        logIndex,
        field: mismatch,
      });
    }
    return verified;
  });
  return { number: header.number, raw: located.map(({ log }) => log), logs };
}

/**
 * Verifies one item of a proof (a validator-set change or a block) where it stands: its
 * header decodes, is at or after the anchor's block, lists exactly the set in force at its
 * height, carries commit seals of a quorum of it (see `verifyCommitSeals`) and a member as
 * proposer, comes after the previous item, has the claimed number and hash; each claimed
 * log is proven by the receipts and transactions tries and equals the claim; every trie
 * node is used.
 *
 * An item verified before under the same set (the same text in every field as one in
 * `context.cache`) is not checked again but for the checks that depend on where it stands —
 * the anchor's block and the order — which run in the same order, so the verdict is the one
 * a fresh check gives: a cache only saves time (a changed byte is another text, checked in
 * full).
 *
 * @returns its block number and its proven logs (copies, which the caller may keep).
 * @throws CustosError `AUDIT_PROOF_INVALID` naming the first failing link at `place`.
 * @example
 * ```ts
 * const { number, logs } = verifyProofItem(item, { item: "blocks", index: 0 }, context);
 * ```
 */
export function verifyProofItem(
  item: ProofBlock,
  place: ProofPlace,
  context: ProofItemContext,
): VerifiedProofItem {
  // One entry a claimed hash (the last item verified with it), compared in full on use.
  const cached = context.cache.get(item.hash);
  let result: VerifiedProofItem | undefined;
  if (cached !== undefined && sameItem(item, cached.item)) {
    const { number } = cached.result;
    const at: ProofPlace = { ...place, block: number };
    checkAnchor(number, context.fromBlock, at);
    if (context.setAt(number).key === cached.setKey) {
      checkAscending(number, context.previous, at);
      result = cached.result;
    }
    // Under another set, the full check names the validatorSet link, as it would fresh.
  }
  if (result === undefined) {
    result = verifyUncached(item, place, context);
    context.cache.set(item.hash, { item, setKey: context.setAt(result.number).key, result });
  }
  return {
    number: result.number,
    raw: result.raw,
    logs: result.logs.map((log) => ({ ...log, topics: [...log.topics] })),
  };
}
