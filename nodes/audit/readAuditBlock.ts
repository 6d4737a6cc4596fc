import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { type AuditContracts, type AuditEntry, projectAuditLog } from "../../src/audit/index.ts";
import { CustosError } from "../../src/errors/index.ts";
import type { Hex } from "../../src/ledger/index.ts";
import { type ChainDb, keyOf, keyspaces, scanStoredLogs } from "../db/index.ts";
import type { AuditBlock } from "./auditBlockBatch.ts";

/** What {@link readAuditBlock} reads of the chain database. */
export type AuditChainSource = Pick<ChainDb, "canonicalHash" | "headerByHash" | "readRaw">;

/** Logs projected between yields to the event loop (a bulk-load block holds thousands). */
const YIELD_EVERY = 1000;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Lowercase 0x-hex through Buffer (native): a third of the cost of a JavaScript loop per log. */
const hex = (bytes: Uint8Array): string =>
  `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;

function missing(number: number, part: string): CustosError {
  return new CustosError(
    "CHAIN_DB_CORRUPT",
    `block ${number} has no ${part} in the chain database`,
    { details: { blockNumber: String(number), part } },
  );
}

/**
 * Reads canonical block `number` from the node's chain database and projects its logs of
 * the Custos contracts into audit entries, in log order: the stored receipts are walked in
 * place (`scanStoredLogs`, which copies out only the contracts' logs), and the work yields
 * to the event loop every thousand logs so a bulk-load block never holds the node's thread.
 *
 * @throws CustosError `CHAIN_DB_CORRUPT` when the block, its header or receipts are missing
 *   or damaged; `AUDIT_EVENT_UNDECODABLE` from the projection.
 * @example
 * ```ts
 * const block = await readAuditBlock(chainDb, 12, genesis.contracts);
 * await index.writeBlock(block);
 * ```
 */
export async function readAuditBlock(
  chainDb: AuditChainSource,
  number: number,
  contracts: AuditContracts,
): Promise<AuditBlock> {
  const hash = await chainDb.canonicalHash(BigInt(number));
  if (hash === undefined) throw missing(number, "canonical entry");
  const header = await chainDb.headerByHash(hash);
  if (header === undefined) throw missing(number, "header");
  const receiptsKey = keyOf(keyspaces.receipts, hash);
  const [receipts] = await chainDb.readRaw([receiptsKey]);
  if (receipts === undefined) throw missing(number, "receipts");
  const addresses = [contracts.consortium, contracts.consentRegistry, contracts.accessLedger].map(
    (a) => hexToBytes(a as Hex),
  );
  const logs = scanStoredLogs(receipts, bytesToHex(receiptsKey), { addresses, topics: [] });
  const blockHash = bytesToHex(hash) as Hex;
  const blockTimestamp = Number(header.timestamp);
  const entries: AuditEntry[] = [];
  for (const [i, log] of logs.entries()) {
    if (i > 0 && i % YIELD_EVERY === 0) await yieldToLoop();
    const entry = projectAuditLog(
      {
        address: hex(log.address),
        topics: log.topics.map(hex),
        data: hex(log.data),
        blockNumber: number,
        blockHash,
        blockTimestamp,
        transactionHash: hex(log.txHash),
        transactionIndex: log.txIndex,
        logIndex: log.logIndex,
      },
      contracts,
    );
    if (entry !== null) entries.push(entry);
  }
  return {
    number,
    hash: blockHash,
    parentHash: bytesToHex(header.parentHash) as Hex,
    timestamp: blockTimestamp,
    entries,
  };
}
