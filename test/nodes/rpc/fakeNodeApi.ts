import { type Block, createBlock } from "@ethereumjs/block";
import { createCustomCommon, Hardfork, Mainnet } from "@ethereumjs/common";
import type { Log } from "@ethereumjs/evm";
import {
  createAccessList2930Tx,
  createFeeMarket1559Tx,
  createLegacyTx,
  createTxFromRLP,
  type TypedTransaction,
} from "@ethereumjs/tx";
import {
  bytesToHex,
  concatBytes,
  createAddressFromPrivateKey,
  equalsBytes,
  hexToBytes,
  KECCAK256_NULL,
  KECCAK256_RLP,
  setLengthLeft,
} from "@ethereumjs/util";
import { Bloom } from "@ethereumjs/vm";
import { AbiCoder, id } from "ethers";
import { blockLogs } from "../../../nodes/rpc/formatReceipt.ts";
import { effectiveGasPrice } from "../../../nodes/rpc/formatTransaction.ts";
import { matchesLogFilter } from "../../../nodes/rpc/matchesLogFilter.ts";
import type {
  BlockExecutedEvent,
  CallRequest,
  CallResult,
  GasEstimate,
  IndexedLog,
  LogFilter,
  NodeApi,
  StoredReceipt,
  SyncStatus,
} from "../../../nodes/rpc/NodeApi.ts";
import { CustosError } from "../../../src/errors/index.ts";

export const chainId = 1337n;
export const common = createCustomCommon({ chainId: Number(chainId) }, Mainnet, {
  hardfork: Hardfork.Prague,
});
export const senderKey = hexToBytes(`0x${"11".repeat(32)}`);
export const sender = createAddressFromPrivateKey(senderKey);
export const outsiderKey = hexToBytes(`0x${"22".repeat(32)}`);
export const recipient = hexToBytes(`0x${"0b".repeat(20)}`);
/** The fake "contract": `value()` returns 42, `fail()` reverts "nope", `boom()` halts. */
export const contract = hexToBytes(`0x${"c0".repeat(20)}`);
export const contractCode = hexToBytes("0x6080604052");
export const created = hexToBytes(`0x${"cc".repeat(20)}`);
export const transferTopic = hexToBytes(id("Transfer(address,address,uint256)") as `0x${string}`);
export const selectors = {
  value: hexToBytes(id("value()").slice(0, 10) as `0x${string}`),
  fail: hexToBytes(id("fail()").slice(0, 10) as `0x${string}`),
  boom: hexToBytes(id("boom()").slice(0, 10) as `0x${string}`),
};
const coder = AbiCoder.defaultAbiCoder();
const gwei = 1_000_000_000n;

function topicOf(address: Uint8Array): Uint8Array {
  return setLengthLeft(address, 32);
}

function transferLog(from: Uint8Array, to: Uint8Array, amount: bigint): Log {
  return [
    contract,
    [transferTopic, topicOf(from), topicOf(to)],
    hexToBytes(coder.encode(["uint256"], [amount]) as `0x${string}`),
  ];
}

function receiptFor(
  tx: TypedTransaction,
  index: number,
  cumulative: bigint,
  gasUsed: bigint,
  logs: Log[],
  baseFee: bigint,
  extra: Partial<StoredReceipt> = {},
): StoredReceipt {
  const bloom = new Bloom(undefined, common);
  for (const [address, topics] of logs) {
    bloom.add(address);
    for (const topic of topics) bloom.add(topic);
  }
  return {
    cumulativeGasUsed: cumulative + gasUsed,
    status: 1,
    logsBloom: bloom.bitvector,
    logs,
    gasUsed,
    effectiveGasPrice: effectiveGasPrice(tx, baseFee),
    txHash: tx.hash(),
    txIndex: index,
    ...extra,
  };
}

/** A block on top of `parent` with the given transactions. */
export function nextBlock(
  parent: Block | undefined,
  txs: TypedTransaction[],
  gasUsed: bigint,
): Block {
  return createBlock(
    {
      header: {
        number: parent === undefined ? 0n : parent.header.number + 1n,
        parentHash: parent === undefined ? new Uint8Array(32) : parent.hash(),
        gasLimit: 30_000_000n,
        gasUsed,
        timestamp: 1_700_000_000n + (parent === undefined ? 0n : parent.header.number + 1n) * 2n,
        baseFeePerGas: gwei,
        coinbase: sender,
        extraData: hexToBytes("0xc0ffee"),
      },
      transactions: txs,
    },
    { common },
  );
}

/** The fake's in-memory chain, built from real signed transactions. */
export interface FakeChain {
  readonly blocks: Block[];
  readonly receipts: Map<string, StoredReceipt[]>;
  readonly txs: {
    readonly legacy: TypedTransaction;
    readonly accessList: TypedTransaction;
    readonly feeMarket: TypedTransaction;
    readonly creation: TypedTransaction;
  };
}

/**
 * Genesis, block 1 (legacy transfer, 2930 call, 1559 call emitting two Transfer logs) and
 * block 2 (a 1559 contract creation emitting one Transfer log).
 */
export function buildFakeChain(): FakeChain {
  const genesis = nextBlock(undefined, [], 0n);
  const legacy = createLegacyTx(
    { nonce: 0n, gasPrice: 2n * gwei, gasLimit: 21_000n, to: recipient, value: 10n ** 18n },
    { common },
  ).sign(senderKey);
  const accessList = createAccessList2930Tx(
    {
      nonce: 1n,
      gasPrice: 2n * gwei,
      gasLimit: 50_000n,
      to: contract,
      data: selectors.value,
      accessList: [
        { address: bytesToHex(contract), storageKeys: [bytesToHex(new Uint8Array(32))] },
      ],
    },
    { common },
  ).sign(senderKey);
  const feeMarket = createFeeMarket1559Tx(
    {
      nonce: 2n,
      maxFeePerGas: 3n * gwei,
      maxPriorityFeePerGas: gwei,
      gasLimit: 80_000n,
      to: contract,
      data: concatBytes(selectors.value, new Uint8Array(4)),
    },
    { common },
  ).sign(senderKey);
  const block1 = nextBlock(genesis, [legacy, accessList, feeMarket], 21_000n + 30_000n + 60_000n);
  const receipts1 = [
    receiptFor(legacy, 0, 0n, 21_000n, [], gwei),
    receiptFor(accessList, 1, 21_000n, 30_000n, [], gwei),
    receiptFor(
      feeMarket,
      2,
      51_000n,
      60_000n,
      [transferLog(sender.bytes, recipient, 5n), transferLog(recipient, sender.bytes, 7n)],
      gwei,
    ),
  ];
  const creation = createFeeMarket1559Tx(
    {
      nonce: 3n,
      maxFeePerGas: 3n * gwei,
      maxPriorityFeePerGas: 2n * gwei,
      gasLimit: 200_000n,
      data: contractCode,
    },
    { common },
  ).sign(senderKey);
  const block2 = nextBlock(block1, [creation], 150_000n);
  const receipts2 = [
    receiptFor(
      creation,
      0,
      0n,
      150_000n,
      [transferLog(new Uint8Array(20), sender.bytes, 1000n)],
      gwei,
      {
        contractAddress: created,
      },
    ),
  ];
  const receipts = new Map<string, StoredReceipt[]>([
    [bytesToHex(genesis.hash()), []],
    [bytesToHex(block1.hash()), receipts1],
    [bytesToHex(block2.hash()), receipts2],
  ]);
  return {
    blocks: [genesis, block1, block2],
    receipts,
    txs: { legacy, accessList, feeMarket, creation },
  };
}

/** The fake NodeApi plus test controls. */
export interface FakeNodeApi extends NodeApi {
  readonly chain: FakeChain;
  readonly pool: Map<string, TypedTransaction>;
  /** Blocks known by hash but not canonical (a side fork), for EIP-1898 requireCanonical. */
  readonly sideBlocks: Block[];
  /** Appends a block and announces its head and logs. */
  commit(block: Block, receipts: StoredReceipt[]): void;
  emitBlockExecuted(event: BlockExecutedEvent): void;
  /** Announces transactions that became executable in the pool. */
  emitPending(hashes: readonly Uint8Array[]): void;
  setReady(ready: boolean): void;
  setSyncing(status: SyncStatus): void;
  /** Makes the next call of `method` throw `error`. */
  failNext(method: "call" | "logs", error: unknown): void;
  readonly lastLogFilter: () => LogFilter | undefined;
  /** Live head, log and pending-transaction listeners (one per subscription or filter kind). */
  listenerCount(): number;
}

/** An in-memory NodeApi over {@link buildFakeChain}. */
export function createFakeNodeApi(): FakeNodeApi {
  const chain = buildFakeChain();
  const pool = new Map<string, TypedTransaction>();
  const headListeners = new Set<(block: Block) => void>();
  const logListeners = new Set<(logs: readonly IndexedLog[]) => void>();
  const executedListeners = new Set<(event: BlockExecutedEvent) => void>();
  const pendingListeners = new Set<(hashes: readonly Uint8Array[]) => void>();
  const failures = new Map<string, unknown>();
  let ready = true;
  let syncing: SyncStatus = false;
  let lastLogFilter: LogFilter | undefined;
  const members = [sender.bytes];

  const head = (): Block => {
    const block = chain.blocks[chain.blocks.length - 1];
    if (block === undefined) throw new Error("empty chain");
    return block;
  };
  const sideBlocks: Block[] = [];
  const byHash = (hash: Uint8Array): Block | undefined =>
    [...chain.blocks, ...sideBlocks].find((block) => equalsBytes(block.hash(), hash));
  const takeFailure = (method: string): void => {
    if (failures.has(method)) {
      const error = failures.get(method);
      failures.delete(method);
      throw error;
    }
  };
  const committedNonce = (address: Uint8Array): bigint => {
    let nonce = 0n;
    for (const block of chain.blocks) {
      for (const tx of block.transactions) {
        if (equalsBytes(tx.getSenderAddress().bytes, address)) nonce = tx.nonce + 1n;
      }
    }
    return nonce;
  };
  const pendingNonce = (address: Uint8Array): bigint => {
    let nonce = committedNonce(address);
    for (const tx of pool.values()) {
      if (equalsBytes(tx.getSenderAddress().bytes, address) && tx.nonce >= nonce)
        nonce = tx.nonce + 1n;
    }
    return nonce;
  };
  const simulate = (request: CallRequest): CallResult => {
    const data = request.data ?? new Uint8Array();
    if (request.to !== undefined && equalsBytes(request.to, contract)) {
      const selector = data.subarray(0, 4);
      if (equalsBytes(selector, selectors.value)) {
        return {
          returnData: hexToBytes(coder.encode(["uint256"], [42n]) as `0x${string}`),
          gasUsed: 23_000n,
        };
      }
      if (equalsBytes(selector, selectors.fail)) {
        const revert = hexToBytes(
          `0x08c379a0${coder.encode(["string"], ["nope"]).slice(2)}` as `0x${string}`,
        );
        return {
          returnData: revert,
          gasUsed: 22_000n,
          failure: { kind: "revert", data: revert, reason: "nope" },
        };
      }
      if (equalsBytes(selector, selectors.boom)) {
        return {
          returnData: new Uint8Array(),
          gasUsed: 30_000n,
          failure: { kind: "halt", reason: "out of gas" },
        };
      }
    }
    return { returnData: new Uint8Array(), gasUsed: 21_000n };
  };

  return {
    chain,
    pool,
    sideBlocks,
    chainId: () => chainId,
    clientVersion: () => "custos/0.1.0-test",
    head,
    blockByNumber: async (number) => chain.blocks[Number(number)],
    blockByHash: async (hash) => byHash(hash),
    receipts: async (blockHash) => chain.receipts.get(bytesToHex(blockHash)),
    async receipt(blockHash, index) {
      const receipts = chain.receipts.get(bytesToHex(blockHash));
      const receipt = receipts?.[index];
      if (receipts === undefined || receipt === undefined) return undefined;
      const firstLogIndex = receipts.slice(0, index).reduce((n, r) => n + r.logs.length, 0);
      return { receipt, firstLogIndex };
    },
    async transactionLocation(txHash) {
      for (const block of chain.blocks) {
        const index = block.transactions.findIndex((tx) => equalsBytes(tx.hash(), txHash));
        if (index >= 0) return { blockHash: block.hash(), blockNumber: block.header.number, index };
      }
      return undefined;
    },
    pendingTransaction: (txHash) => pool.get(bytesToHex(txHash)),
    async account(address, block) {
      const isSender = equalsBytes(address, sender.bytes);
      return {
        nonce: isSender ? BigInt(block.header.number) : 0n,
        balance: isSender ? 10n ** 18n * (block.header.number + 1n) : 0n,
        codeHash: new Uint8Array(32),
      };
    },
    code: async (address) => (equalsBytes(address, contract) ? contractCode : new Uint8Array()),
    async storageAt(address, slot, block) {
      const value = new Uint8Array(32);
      if (equalsBytes(address, contract) && slot[31] === 0)
        value[31] = Number(block.header.number) + 1;
      return value;
    },
    async call(request) {
      takeFailure("call");
      return simulate(request);
    },
    async estimateGas(request): Promise<GasEstimate> {
      const result = simulate(request);
      return result.failure === undefined
        ? { ok: true, gas: result.gasUsed }
        : { ok: false, failure: result.failure };
    },
    async sendRawTransaction(raw) {
      let tx: TypedTransaction;
      try {
        tx = createTxFromRLP(raw, { common });
      } catch (cause) {
        throw new CustosError("TXPOOL_DECODE_FAILED", "transaction bytes do not decode", { cause });
      }
      const from = tx.getSenderAddress().bytes;
      if (!members.some((member) => equalsBytes(member, from))) {
        throw new CustosError("TXPOOL_SENDER_NOT_MEMBER", "sender is not a consortium member", {
          details: { sender: bytesToHex(from) },
        });
      }
      const next = committedNonce(from);
      if (tx.nonce < next) {
        throw new CustosError(
          "TXPOOL_NONCE_TOO_LOW",
          `nonce too low: address ${bytesToHex(from)}, tx: ${tx.nonce} state: ${next}`,
          {
            details: { nonce: tx.nonce, next },
          },
        );
      }
      pool.set(bytesToHex(tx.hash()), tx);
      for (const listener of pendingListeners) listener([tx.hash()]);
      return tx.hash();
    },
    async logs(filter) {
      takeFailure("logs");
      lastLogFilter = filter;
      const found: IndexedLog[] = [];
      for (let number = filter.fromBlock; number <= filter.toBlock; number++) {
        const block = chain.blocks[Number(number)];
        if (block === undefined) break;
        const receipts = chain.receipts.get(bytesToHex(block.hash())) ?? [];
        for (const log of blockLogs(block, receipts)) {
          if (matchesLogFilter(log, filter)) found.push(log);
          if (found.length >= filter.limit) return found;
        }
      }
      return found;
    },
    pendingNonce: async (address) => pendingNonce(address),
    gasPrice: () => 2n * gwei,
    maxPriorityFee: () => gwei,
    syncing: () => syncing,
    onNewHead(listener) {
      headListeners.add(listener);
      return () => headListeners.delete(listener);
    },
    onLogs(listener) {
      logListeners.add(listener);
      return () => logListeners.delete(listener);
    },
    onBlockExecuted(listener) {
      executedListeners.add(listener);
      return () => executedListeners.delete(listener);
    },
    metrics: () => ({
      height: head().header.number,
      transactions: BigInt(chain.blocks.reduce((sum, block) => sum + block.transactions.length, 0)),
      poolSize: pool.size,
      peers: 3,
    }),
    ready: () => ready,
    canonicalHash: async (number) => chain.blocks[Number(number)]?.hash(),
    onPendingTransactions(listener) {
      pendingListeners.add(listener);
      return () => pendingListeners.delete(listener);
    },
    async proof(address, slots, block) {
      const known = equalsBytes(address, contract);
      return {
        nonce: known ? 1n : 0n,
        balance: known ? block.header.number : 0n,
        codeHash: known ? hexToBytes(`0x${"ab".repeat(32)}`) : KECCAK256_NULL,
        storageHash: known ? hexToBytes(`0x${"cd".repeat(32)}`) : KECCAK256_RLP,
        accountProof: [hexToBytes("0xf851"), hexToBytes("0xe2a0")],
        storageProof: slots.map((key) => ({
          key,
          value: known && key[31] === 0 ? block.header.number + 1n : 0n,
          proof: known ? [hexToBytes("0xf8")] : [],
        })),
      };
    },
    async createAccessList(request) {
      const result = simulate(request);
      const base = {
        accessList: [{ address: created, storageKeys: [new Uint8Array(32)] }],
        gasUsed: result.gasUsed + 4_300n,
      };
      return result.failure === undefined ? base : { ...base, failure: result.failure };
    },
    async traceTransaction(txHash, options) {
      const block = chain.blocks.find((b) =>
        b.transactions.some((tx) => equalsBytes(tx.hash(), txHash)),
      );
      const tx = block?.transactions.find((t) => equalsBytes(t.hash(), txHash));
      if (tx === undefined) return undefined;
      const inner = {
        type: "STATICCALL" as const,
        from: tx.to?.bytes ?? created,
        to: recipient,
        gas: 10_000n,
        gasUsed: 2_600n,
        input: selectors.value,
        output: new Uint8Array(32),
        calls: [],
      };
      return {
        type: tx.to === undefined ? ("CREATE" as const) : ("CALL" as const),
        from: tx.getSenderAddress().bytes,
        to: tx.to?.bytes ?? created,
        value: tx.value,
        gas: tx.gasLimit,
        gasUsed: 21_000n,
        input: tx.data,
        output: new Uint8Array(0),
        calls: options.onlyTopCall ? [] : [inner],
      };
    },
    commit(block, receipts) {
      chain.blocks.push(block);
      chain.receipts.set(bytesToHex(block.hash()), receipts);
      for (const listener of headListeners) listener(block);
      const logs = blockLogs(block, receipts);
      for (const listener of logListeners) listener(logs);
    },
    emitBlockExecuted(event) {
      for (const listener of executedListeners) listener(event);
    },
    emitPending(hashes) {
      for (const listener of pendingListeners) listener(hashes);
    },
    setReady(value) {
      ready = value;
    },
    setSyncing(status) {
      syncing = status;
    },
    failNext(method, error) {
      failures.set(method, error);
    },
    lastLogFilter: () => lastLogFilter,
    listenerCount: () => headListeners.size + logListeners.size + pendingListeners.size,
  };
}

/** A block on top of the fake's head with one 1559 transfer emitting a Transfer log. */
export function makeNextBlock(api: FakeNodeApi): { block: Block; receipts: StoredReceipt[] } {
  const parent = api.head();
  const nonce = BigInt(parent.transactions.length) + 10n * parent.header.number;
  const tx = createFeeMarket1559Tx(
    { nonce, maxFeePerGas: 3n * gwei, maxPriorityFeePerGas: gwei, gasLimit: 60_000n, to: contract },
    { common },
  ).sign(senderKey);
  const block = nextBlock(parent, [tx], 40_000n);
  return {
    block,
    receipts: [receiptFor(tx, 0, 0n, 40_000n, [transferLog(sender.bytes, recipient, 1n)], gwei)],
  };
}
