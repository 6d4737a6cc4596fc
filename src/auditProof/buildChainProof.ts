import { keccak_256 } from "@noble/hashes/sha3.js";
import { Interface } from "ethers";
import { accessLedgerAbi } from "../contracts/index.ts";
import { CustosError, type ErrorDetails, isCustosError } from "../errors/index.ts";
import { buildTrieProofNodes } from "./buildTrieProofNodes.ts";
import { decodeQbftHeader } from "./decodeQbftHeader.ts";
import { decodeReceiptLogs, type ReceiptLog } from "./decodeReceipt.ts";
import { VALIDATOR_SET_SCHEDULED_TOPIC } from "./decodeValidatorSetScheduled.ts";
import { bytesToHex, equalBytes, hexToBytes } from "./hexBytes.ts";
import {
  PROOF_SCHEMA,
  type ProofBlock,
  type ProofDocument,
  type ProofLog,
} from "./ProofDocument.ts";
import type { ProofRpc, ProofTarget } from "./ProofRpc.ts";
import { decodeRlp, encodeRlp } from "./rlp.ts";
import type { ChainContracts } from "./TrustAnchor.ts";

/** Options of {@link buildChainProof}. */
export interface BuildChainProofOptions {
  /** The chain's Consortium (validator-set changes) and AccessLedger (query targets). */
  readonly contracts: Pick<ChainContracts, "consortium" | "accessLedger">;
  /**
   * The verifier's checkpoint block, when it anchors at one: validator-set changes before it
   * are left out (default 0, the genesis anchor).
   */
  readonly fromBlock?: number;
  /** Blocks per `eth_getLogs` call (default 5,000, under the node's range cap). */
  readonly logBlockRange?: number;
  readonly signal?: AbortSignal;
}

/** The AccessLedger events whose first indexed field is the query id. */
const QUERY_EVENTS = [
  "QuerySubmitted",
  "QueryApproved",
  "ResultRecorded",
  "QueryDeclined",
  "QueryClosed",
] as const;

const accessLedger = new Interface(accessLedgerAbi);
const queryTopics = QUERY_EVENTS.map((name) => accessLedger.getEvent(name)?.topicHash as string);

const quantity = (value: number) => `0x${value.toString(16)}`;

function sourceInvalid(reason: string, details: ErrorDetails = {}): never {
  throw new CustosError(
    "AUDIT_PROOF_SOURCE_INVALID",
    `the node's answer makes no proof: ${reason}`,
    {
      details: { reason, ...details },
    },
  );
}

function notFound(reason: string, details: ErrorDetails): never {
  throw new CustosError("AUDIT_PROOF_TARGET_NOT_FOUND", reason, { details });
}

async function call(
  rpc: ProofRpc,
  method: string,
  params: readonly unknown[],
  signal: AbortSignal | undefined,
): Promise<unknown> {
  if (signal?.aborted === true) {
    throw new CustosError("LEDGER_ABORTED", "building the proof was aborted", {
      details: { method },
      cause: signal.reason,
    });
  }
  try {
    return await rpc.request({ method, params });
  } catch (cause) {
    if (isCustosError(cause)) throw cause;
    throw new CustosError("LEDGER_UNAVAILABLE", `${method} failed`, {
      details: { method, reason: cause instanceof Error ? cause.message : String(cause) },
      cause,
    });
  }
}

function hexField(value: unknown, what: string, details: ErrorDetails): Uint8Array {
  const bytes = typeof value === "string" ? hexToBytes(value) : undefined;
  if (bytes === undefined) return sourceInvalid(`${what} is not hex bytes`, details);
  return bytes;
}

function quantityField(value: unknown, what: string): number {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]+$/.test(value)) {
    return sourceInvalid(`${what} is not a quantity`, { value: String(value) });
  }
  return Number(BigInt(value));
}

/** Block-wide log indexes wanted per block number. */
type Wanted = Map<number, Set<number>>;

function want(wanted: Wanted, block: number, logIndex: number): void {
  const set = wanted.get(block) ?? new Set<number>();
  set.add(logIndex);
  wanted.set(block, set);
}

/** `eth_getLogs` over [from, to] in windows of `range` blocks. */
async function logsIn(
  rpc: ProofRpc,
  filter: { address: string; topics: readonly unknown[] },
  from: number,
  to: number,
  options: BuildChainProofOptions,
): Promise<{ blockNumber: number; logIndex: number }[]> {
  const range = options.logBlockRange ?? 5_000;
  const found: { blockNumber: number; logIndex: number }[] = [];
  for (let start = from; start <= to; start += range) {
    const end = Math.min(to, start + range - 1);
    const logs = await call(
      rpc,
      "eth_getLogs",
      [{ ...filter, fromBlock: quantity(start), toBlock: quantity(end) }],
      options.signal,
    );
    if (!Array.isArray(logs)) sourceInvalid("eth_getLogs did not answer a list");
    for (const log of logs as { blockNumber?: unknown; logIndex?: unknown }[]) {
      found.push({
        blockNumber: quantityField(log.blockNumber, "a log's blockNumber"),
        logIndex: quantityField(log.logIndex, "a log's logIndex"),
      });
    }
  }
  return found;
}

async function resolveTargets(
  rpc: ProofRpc,
  targets: readonly ProofTarget[],
  options: BuildChainProofOptions,
): Promise<{ wanted: Wanted; transactions: Map<number, Set<string>> }> {
  const wanted: Wanted = new Map();
  /** Transaction hashes asked for, per block: checked against the proven ones. */
  const transactions = new Map<number, Set<string>>();
  let head: number | undefined;
  for (const target of targets) {
    if ("transactionHash" in target) {
      const hash = target.transactionHash.toLowerCase();
      const receipt = (await call(rpc, "eth_getTransactionReceipt", [hash], options.signal)) as {
        blockNumber?: unknown;
        logs?: { logIndex?: unknown }[];
      } | null;
      if (receipt === null || receipt === undefined) {
        notFound(`no committed transaction ${hash}`, { transactionHash: hash });
      }
      const block = quantityField(receipt.blockNumber, "the receipt's blockNumber");
      const indexes = (receipt.logs ?? []).map((log) => quantityField(log.logIndex, "a logIndex"));
      const chosen = target.logIndex === undefined ? indexes : [target.logIndex];
      if (chosen.length === 0 || !chosen.every((i) => indexes.includes(i))) {
        notFound(
          target.logIndex === undefined
            ? `transaction ${hash} emitted no log`
            : `transaction ${hash} has no log ${target.logIndex}`,
          { transactionHash: hash, logIndex: target.logIndex ?? null },
        );
      }
      for (const logIndex of chosen) want(wanted, block, logIndex);
      transactions.set(block, (transactions.get(block) ?? new Set()).add(hash));
    } else {
      head ??= quantityField(
        await call(rpc, "eth_blockNumber", [], options.signal),
        "eth_blockNumber",
      );
      const queryId = BigInt(target.queryId);
      const topic = `0x${queryId.toString(16).padStart(64, "0")}`;
      const logs = await logsIn(
        rpc,
        { address: options.contracts.accessLedger, topics: [queryTopics, topic] },
        1,
        head,
        options,
      );
      if (logs.length === 0) {
        notFound(`no AccessLedger event of query ${queryId}`, { queryId: queryId.toString() });
      }
      for (const log of logs) want(wanted, log.blockNumber, log.logIndex);
    }
  }
  return { wanted, transactions };
}

/** The raw parts of one block, checked against its own header. */
interface RawBlock {
  readonly header: Uint8Array;
  readonly number: number;
  readonly hash: string;
  readonly receiptsRoot: Uint8Array;
  readonly transactionsRoot: Uint8Array;
  readonly receipts: readonly Uint8Array[];
  readonly logs: readonly { transactionIndex: number; log: ReceiptLog }[];
}

async function fetchBlock(rpc: ProofRpc, number: number, options: BuildChainProofOptions) {
  const at = { block: number };
  const fail = (reason: string, details?: ErrorDetails): never =>
    sourceInvalid(`block ${number}: ${reason}`, { ...at, ...details });
  const id = quantity(number);
  const header = hexField(
    await call(rpc, "debug_getRawHeader", [id], options.signal),
    "the raw header",
    at,
  );
  const decoded = decodeQbftHeader(header, fail, fail);
  if (decoded.number !== number) fail(`debug_getRawHeader answered block ${decoded.number}`);
  const rawReceipts = await call(rpc, "debug_getRawReceipts", [id], options.signal);
  if (!Array.isArray(rawReceipts)) return fail("debug_getRawReceipts did not answer a list");
  const receipts = rawReceipts.map((r, i) => hexField(r, `receipt ${i}`, at));
  const logs = receipts.flatMap((receipt, transactionIndex) =>
    decodeReceiptLogs(receipt, fail).map((log) => ({ transactionIndex, log })),
  );
  const raw: RawBlock = {
    header,
    number,
    hash: bytesToHex(decoded.hash),
    receiptsRoot: decoded.receiptsRoot,
    transactionsRoot: decoded.transactionsRoot,
    receipts,
    logs,
  };
  return raw;
}

async function transactionsOf(rpc: ProofRpc, number: number, options: BuildChainProofOptions) {
  const fail = (reason: string): never =>
    sourceInvalid(`block ${number}: ${reason}`, { block: number });
  const block = decodeRlp(
    hexField(
      await call(rpc, "debug_getRawBlock", [quantity(number)], options.signal),
      "the raw block",
      {
        block: number,
      },
    ),
  );
  if (typeof block === "string" || block instanceof Uint8Array || !Array.isArray(block[1])) {
    return fail("debug_getRawBlock is not [header, transactions, …]");
  }
  // A typed transaction is a byte string (type ‖ RLP); a legacy one the RLP list itself.
  return (block[1] as readonly (Uint8Array | readonly Uint8Array[])[]).map((tx) =>
    tx instanceof Uint8Array ? tx : encodeRlp(tx),
  );
}

async function proofBlock(
  rpc: ProofRpc,
  raw: RawBlock,
  logIndexes: readonly number[],
  askedTransactions: ReadonlySet<string>,
  options: BuildChainProofOptions,
): Promise<ProofBlock> {
  const at = { block: raw.number };
  const chosen = logIndexes.map((logIndex) => {
    const found = raw.logs[logIndex];
    if (found === undefined) return sourceInvalid(`block ${raw.number} has no log ${logIndex}`, at);
    return { logIndex, ...found };
  });
  const lastTransaction = Math.max(...chosen.map((c) => c.transactionIndex));
  const receipts = await buildTrieProofNodes(
    raw.receipts,
    Array.from({ length: lastTransaction + 1 }, (_, i) => i),
  );
  if (!equalBytes(receipts.root, raw.receiptsRoot)) {
    sourceInvalid(`block ${raw.number}'s receipts do not hash to its receiptsRoot`, at);
  }
  const transactions = await transactionsOf(rpc, raw.number, options);
  const indexes = [...new Set(chosen.map((c) => c.transactionIndex))];
  const txProof = await buildTrieProofNodes(transactions, indexes);
  if (!equalBytes(txProof.root, raw.transactionsRoot)) {
    sourceInvalid(`block ${raw.number}'s transactions do not hash to its transactionsRoot`, at);
  }
  const hashes = transactions.map((tx) => bytesToHex(keccak_256(tx)));
  for (const asked of askedTransactions) {
    if (!hashes.includes(asked)) {
      sourceInvalid(`block ${raw.number} does not hold transaction ${asked}`, at);
    }
  }
  const logs: ProofLog[] = chosen.map(({ logIndex, transactionIndex, log }) => ({
    logIndex: quantity(logIndex),
    transactionIndex: quantity(transactionIndex),
    transactionHash: hashes[transactionIndex] as string,
    address: bytesToHex(log.address),
    topics: log.topics.map(bytesToHex),
    data: bytesToHex(log.data),
  }));
  return {
    number: quantity(raw.number),
    hash: raw.hash,
    header: bytesToHex(raw.header),
    receiptNodes: receipts.nodes.map(bytesToHex),
    transactionNodes: txProof.nodes.map(bytesToHex),
    logs,
  };
}

/**
 * Builds a proof document (`ProofDocument`) of `targets` from a node's JSON-RPC: for each
 * block holding a target, its raw sealed header (`debug_getRawHeader`), the receipts-trie
 * nodes proving its receipts up to the last target's (`debug_getRawReceipts`), the
 * transactions-trie nodes proving the targets' transactions (`debug_getRawBlock`) and the
 * claimed logs; and, as validator-set changes, every block from `fromBlock` up to the highest
 * target block in which the Consortium emitted `ValidatorSetScheduled`, proven the same way.
 * Targets of one block share one item. Each block's receipts and transactions are checked
 * against its header's roots before they are used.
 *
 * @throws CustosError `AUDIT_PROOF_TARGET_NOT_FOUND` when a target is not on the chain;
 *   `AUDIT_PROOF_SOURCE_INVALID` when the node's answers do not decode or do not match the
 *   header; `LEDGER_UNAVAILABLE` when a call fails; `LEDGER_ABORTED` on `signal`.
 * @example
 * ```ts
 * const proof = await buildChainProof(rpc, [{ queryId: 7n }], { contracts: anchor.contracts });
 * await writeFile("proof.json", JSON.stringify(proof, null, 2));
 * ```
 */
export async function buildChainProof(
  rpc: ProofRpc,
  targets: readonly ProofTarget[],
  options: BuildChainProofOptions,
): Promise<ProofDocument> {
  const chainId = quantityField(await call(rpc, "eth_chainId", [], options.signal), "eth_chainId");
  const { wanted, transactions } = await resolveTargets(rpc, targets, options);
  const targetBlocks = [...wanted.keys()].sort((a, b) => a - b);
  const highest = targetBlocks[targetBlocks.length - 1] ?? 0;
  const consortium = options.contracts.consortium.toLowerCase();
  const scheduled = bytesToHex(VALIDATOR_SET_SCHEDULED_TOPIC);
  const changeLogs = await logsIn(
    rpc,
    { address: consortium, topics: [scheduled] },
    Math.max(1, options.fromBlock ?? 0),
    highest,
    options,
  );
  const changeBlocks = [...new Set(changeLogs.map((log) => log.blockNumber))].sort((a, b) => a - b);

  const fetched = new Map<number, RawBlock>();
  const rawBlock = async (number: number) => {
    const known = fetched.get(number);
    if (known !== undefined) return known;
    const raw = await fetchBlock(rpc, number, options);
    fetched.set(number, raw);
    return raw;
  };
  const validatorChanges: ProofBlock[] = [];
  for (const number of changeBlocks) {
    const raw = await rawBlock(number);
    // Every change of the block: the last one is the set the contract keeps.
    const indexes = raw.logs.flatMap(({ log }, logIndex) =>
      bytesToHex(log.address) === consortium &&
      log.topics[0] !== undefined &&
      equalBytes(log.topics[0], VALIDATOR_SET_SCHEDULED_TOPIC)
        ? [logIndex]
        : [],
    );
    if (indexes.length === 0) sourceInvalid(`block ${number} holds no ValidatorSetScheduled log`);
    validatorChanges.push(await proofBlock(rpc, raw, indexes, new Set(), options));
  }
  const blocks: ProofBlock[] = [];
  for (const number of targetBlocks) {
    const indexes = [...(wanted.get(number) ?? [])].sort((a, b) => a - b);
    blocks.push(
      await proofBlock(
        rpc,
        await rawBlock(number),
        indexes,
        transactions.get(number) ?? new Set(),
        options,
      ),
    );
  }
  return {
    schema: PROOF_SCHEMA,
    chainId: quantity(chainId),
    consortium,
    validatorChanges,
    blocks,
  };
}
