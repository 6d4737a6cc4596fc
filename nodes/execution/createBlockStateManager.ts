import type { AccountFields, Common, StateManagerInterface } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import { OriginalStorageCache } from "@ethereumjs/statemanager";
import {
  Account,
  type Address,
  createAccountFromRLP,
  equalsBytes,
  KECCAK256_NULL,
  KECCAK256_RLP,
  unpadBytes,
} from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { CustosError } from "../../src/errors/index.ts";
// The modules, not ../db/index.ts: the call workers import this file, and the index would
// load level's native binding into every worker for nothing.
import { type FlatState, type FlatWrite, flatSlotValue } from "../db/createFlatState.ts";
import { createTrieUpdate, EMPTY_TRIE_ROOT, type TrieNodeWrite } from "../db/createTrieUpdate.ts";
import type { WriteBackDb } from "../db/createWriteBackDb.ts";
import { readTrie, trieEntries } from "../db/readTrie.ts";
import { stateNodeKey } from "../db/stateNodeLoader.ts";
import { storedTrieNodes } from "../db/storedTrieNodes.ts";
import type { LoadNode } from "../db/trieNode.ts";

/** Options of {@link createBlockStateManager}. */
export interface BlockStateManagerOptions {
  /** Chain parameters (its keccak hashes keys and nodes). */
  readonly common: Common;
  /** Trie nodes and code: the block's write-back layer over the state keyspace. */
  readonly db: WriteBackDb;
  /** Root of the state to start from. */
  readonly stateRoot: Uint8Array;
  /** The flat state, ONLY when it holds exactly the state at `stateRoot`. */
  readonly flat?: FlatState;
}

/** EthereumJS's state manager interface plus what the engine needs to commit a block. */
export interface BlockStateManager extends StateManagerInterface {
  /**
   * The changes to the flat state computed by the last `getStateRoot` (with the trie nodes,
   * which went into the write-back layer).
   */
  flatWrites(): readonly FlatWrite[];
  /**
   * True when the flat state moved to another block while this manager read it: its reads
   * may then mix two states, and the block must be executed again.
   */
  flatStateChanged(): boolean;
}

const EMPTY = new Uint8Array(0);
/** Journal marker: the key had no entry in the overlay map. */
const ABSENT = Symbol("absent");

/** One account's storage changes in this block. */
interface StorageOverlay {
  /**
   * Root of the storage the unwritten slots come from: the base account's, or another one
   * (empty after a delete or clear; whatever an account put with a different root says).
   */
  readonly root: Uint8Array;
  /** Written slots by hex key: value without leading zeros (empty = zero). */
  readonly slots: Map<string, Uint8Array>;
}

type UndoEntry =
  | {
      readonly kind: "account";
      readonly key: string;
      readonly prev: Account | null | typeof ABSENT;
    }
  | {
      readonly kind: "slot";
      readonly key: string;
      readonly slot: string;
      readonly prev: Uint8Array | typeof ABSENT;
    }
  | { readonly kind: "storage"; readonly key: string; readonly prev: StorageOverlay | undefined };

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
}

function copyAccount(account: Account): Account {
  return new Account(account.nonce, account.balance, account.storageRoot, account.codeHash);
}

function missingState(stateRoot: Uint8Array): CustosError {
  return new CustosError("STATE_NOT_AVAILABLE", `state root 0x${hex(stateRoot)} is not stored`, {
    details: { stateRoot: `0x${hex(stateRoot)}` },
  });
}

class BlockState implements BlockStateManager {
  readonly originalStorageCache: OriginalStorageCache;
  private readonly common: Common;
  private readonly db: WriteBackDb;
  private readonly keccak: (data: Uint8Array) => Uint8Array;
  private readonly flatRoot: Uint8Array;
  private readonly flatGeneration: number;
  private readonly flatSource: FlatState | undefined;
  private stateRoot: Uint8Array;
  private flat: FlatState | undefined;

  // The state at `stateRoot`, as read (memo of trie or flat reads; undefined = absent).
  private readonly baseAccounts = new Map<string, Account | undefined>();
  private readonly baseSlots = new Map<string, Map<string, Uint8Array>>();
  private readonly addressHashes = new Map<string, Uint8Array>();

  // This block's changes (null = deleted account).
  private readonly accounts = new Map<string, Account | null>();
  private readonly storage = new Map<string, StorageOverlay>();
  /** Code put by this block, by hex hash. */
  private readonly codes = new Map<string, Uint8Array>();
  /** Code read from storage, by hex hash (content-addressed: never stale). */
  private readonly storedCodes = new Map<string, Uint8Array>();

  // Undo log of changes since the outermost checkpoint, and checkpoint positions in it.
  private undo: UndoEntry[] = [];
  private readonly marks: number[] = [];

  private changes = 0;
  private computed: { changes: number; root: Uint8Array; flatWrites: FlatWrite[] } | undefined;

  constructor(options: BlockStateManagerOptions) {
    this.common = options.common;
    this.db = options.db;
    this.keccak = options.common.customCrypto.keccak256 ?? keccak_256;
    this.stateRoot = options.stateRoot;
    this.flatRoot = options.stateRoot;
    this.flat = options.flat;
    this.flatSource = options.flat;
    this.flatGeneration = options.flat?.generation ?? 0;
    this.originalStorageCache = new OriginalStorageCache(this.getStorage.bind(this));
  }

  // ---------------------------------------------------------------- reads of the base state

  private readonly load = (hash: Uint8Array): Uint8Array | undefined => this.db.getSync(hex(hash));

  /** Reads the nodes of the storage trie of the account whose address hashes to `owner`. */
  private storageLoad(owner: Uint8Array): LoadNode {
    const prefix = hex(owner);
    return (hash) => this.db.getSync(prefix + hex(hash));
  }

  private addressHash(key: string, address: Uint8Array): Uint8Array {
    let hash = this.addressHashes.get(key);
    if (hash === undefined) {
      hash = this.keccak(address);
      this.addressHashes.set(key, hash);
    }
    return hash;
  }

  private baseAccount(key: string, address: Uint8Array): Account | undefined {
    if (this.baseAccounts.has(key)) return this.baseAccounts.get(key);
    const hash = this.addressHash(key, address);
    const rlp =
      this.flat !== undefined ? this.flat.account(hash) : readTrie(this.stateRoot, hash, this.load);
    const account = rlp === undefined ? undefined : createAccountFromRLP(rlp);
    this.baseAccounts.set(key, account);
    return account;
  }

  /** A slot's value in the storage trie at `root` (no flat state: not the base storage). */
  private slotAt(owner: Uint8Array, root: Uint8Array, slot: Uint8Array): Uint8Array {
    const leaf = readTrie(root, this.keccak(slot), this.storageLoad(owner));
    return leaf === undefined ? EMPTY : flatSlotValue(leaf);
  }

  private baseSlot(key: string, address: Uint8Array, slot: string, slotBytes: Uint8Array) {
    let slots = this.baseSlots.get(key);
    if (slots === undefined) {
      slots = new Map();
      this.baseSlots.set(key, slots);
    }
    let value = slots.get(slot);
    if (value !== undefined) return value;
    const root = this.baseStorageRoot(key, address);
    if (equalsBytes(root, KECCAK256_RLP)) value = EMPTY;
    else if (this.flat === undefined) {
      value = this.slotAt(this.addressHash(key, address), root, slotBytes);
    } else {
      value = this.flat.storage(this.addressHash(key, address), this.keccak(slotBytes)) ?? EMPTY;
    }
    slots.set(slot, value);
    return value;
  }

  /** The storage root of the account in the base state (empty for a missing account). */
  private baseStorageRoot(key: string, address: Uint8Array): Uint8Array {
    return this.baseAccount(key, address)?.storageRoot ?? KECCAK256_RLP;
  }

  /** The root the account's unwritten slots come from. */
  private storageRoot(key: string, address: Uint8Array): Uint8Array {
    return this.storage.get(key)?.root ?? this.baseStorageRoot(key, address);
  }

  /** The current account (overlay, then base), NOT copied: callers must not mutate it. */
  private current(key: string, address: Uint8Array): Account | undefined {
    const changed = this.accounts.get(key);
    if (changed !== undefined) return changed ?? undefined;
    return this.baseAccount(key, address);
  }

  // ---------------------------------------------------------------- journaled changes

  private setAccount(key: string, account: Account | null): void {
    if (this.marks.length > 0) {
      const prev = this.accounts.has(key) ? (this.accounts.get(key) as Account | null) : ABSENT;
      this.undo.push({ kind: "account", key, prev });
    }
    this.accounts.set(key, account);
    this.changes++;
  }

  /** Replaces the account's storage by the storage at `root` (empty: none). */
  private replaceStorage(key: string, root: Uint8Array): void {
    if (this.marks.length > 0)
      this.undo.push({ kind: "storage", key, prev: this.storage.get(key) });
    this.storage.set(key, { root, slots: new Map() });
    this.changes++;
  }

  /**
   * Stores an account; as in EthereumJS, its `storageRoot` is the account's storage: a root
   * other than the current one (the EVM only ever passes the empty root, when it resets an
   * account) replaces the storage.
   */
  private putAccountAt(key: string, address: Uint8Array, account: Account): void {
    if (!equalsBytes(account.storageRoot, this.storageRoot(key, address))) {
      this.replaceStorage(key, account.storageRoot);
    }
    this.setAccount(key, account);
  }

  private setSlot(key: string, slot: string, value: Uint8Array): void {
    let overlay = this.storage.get(key);
    if (overlay === undefined) {
      if (this.marks.length > 0) this.undo.push({ kind: "storage", key, prev: undefined });
      overlay = { root: this.baseStorageRoot(key, Buffer.from(key, "hex")), slots: new Map() };
      this.storage.set(key, overlay);
    }
    if (this.marks.length > 0) {
      const prev = overlay.slots.has(slot) ? (overlay.slots.get(slot) as Uint8Array) : ABSENT;
      this.undo.push({ kind: "slot", key, slot, prev });
    }
    overlay.slots.set(slot, value);
    this.changes++;
  }

  // ---------------------------------------------------------------- StateManagerInterface

  async getAccount(address: Address): Promise<Account | undefined> {
    const account = this.current(hex(address.bytes), address.bytes);
    return account === undefined ? undefined : copyAccount(account);
  }

  async putAccount(address: Address, account: Account | undefined): Promise<void> {
    if (account === undefined) {
      await this.deleteAccount(address);
      return;
    }
    this.putAccountAt(hex(address.bytes), address.bytes, copyAccount(account));
  }

  async deleteAccount(address: Address): Promise<void> {
    const key = hex(address.bytes);
    this.setAccount(key, null);
    this.replaceStorage(key, KECCAK256_RLP);
  }

  async modifyAccountFields(address: Address, fields: AccountFields): Promise<void> {
    const key = hex(address.bytes);
    const before = this.current(key, address.bytes);
    const account = before === undefined ? new Account() : copyAccount(before);
    if (fields.nonce !== undefined) account.nonce = fields.nonce;
    if (fields.balance !== undefined) account.balance = fields.balance;
    if (fields.storageRoot !== undefined) account.storageRoot = fields.storageRoot;
    if (fields.codeHash !== undefined) account.codeHash = fields.codeHash;
    this.putAccountAt(key, address.bytes, account);
  }

  async putCode(address: Address, code: Uint8Array): Promise<void> {
    const codeHash = this.keccak(code);
    // Code is content-addressed: nothing to undo; only code a final account uses is stored.
    if (code.length > 0) this.codes.set(hex(codeHash), code);
    await this.modifyAccountFields(address, { codeHash });
  }

  async getCode(address: Address): Promise<Uint8Array> {
    const account = this.current(hex(address.bytes), address.bytes);
    if (account === undefined || equalsBytes(account.codeHash, KECCAK256_NULL)) return EMPTY;
    const codeHash = hex(account.codeHash);
    let code = this.codes.get(codeHash) ?? this.storedCodes.get(codeHash);
    if (code === undefined) {
      // Stored under "c" ‖ code hash (EthereumJS's prefixCodeHashes). Kept, so that every
      // call gets the same object: the jump-analysis cache is keyed by it.
      code = this.db.getSync(`63${codeHash}`) ?? EMPTY;
      this.storedCodes.set(codeHash, code);
    }
    return code;
  }

  async getCodeSize(address: Address): Promise<number> {
    return (await this.getCode(address)).length;
  }

  async getStorage(address: Address, slot: Uint8Array): Promise<Uint8Array> {
    if (slot.length !== 32) throw new CustosError("INTERNAL", "storage key must be 32 bytes");
    const key = hex(address.bytes);
    const slotKey = hex(slot);
    const overlay = this.storage.get(key);
    if (overlay !== undefined) {
      const value = overlay.slots.get(slotKey);
      if (value !== undefined) return value;
      if (!equalsBytes(overlay.root, this.baseStorageRoot(key, address.bytes))) {
        return this.slotAt(this.addressHash(key, address.bytes), overlay.root, slot);
      }
    }
    return this.baseSlot(key, address.bytes, slotKey, slot);
  }

  async putStorage(address: Address, slot: Uint8Array, value: Uint8Array): Promise<void> {
    if (slot.length !== 32) throw new CustosError("INTERNAL", "storage key must be 32 bytes");
    if (value.length > 32) throw new CustosError("INTERNAL", "storage value exceeds 32 bytes");
    const key = hex(address.bytes);
    if (this.current(key, address.bytes) === undefined) {
      throw new CustosError("INTERNAL", "putStorage on an account that does not exist");
    }
    this.setSlot(key, hex(slot), unpadBytes(value));
  }

  async clearStorage(address: Address): Promise<void> {
    const key = hex(address.bytes);
    const before = this.current(key, address.bytes);
    const account = before === undefined ? new Account() : copyAccount(before);
    account.storageRoot = KECCAK256_RLP;
    this.replaceStorage(key, KECCAK256_RLP);
    this.setAccount(key, account);
  }

  async checkpoint(): Promise<void> {
    this.marks.push(this.undo.length);
  }

  async commit(): Promise<void> {
    this.marks.pop();
    if (this.marks.length === 0) {
      this.undo = [];
      this.originalStorageCache.clear();
    }
  }

  async revert(): Promise<void> {
    const mark = this.marks.pop() ?? 0;
    while (this.undo.length > mark) {
      const entry = this.undo.pop() as UndoEntry;
      if (entry.kind === "account") {
        if (entry.prev === ABSENT) this.accounts.delete(entry.key);
        else this.accounts.set(entry.key, entry.prev);
      } else if (entry.kind === "storage") {
        if (entry.prev === undefined) this.storage.delete(entry.key);
        else this.storage.set(entry.key, entry.prev);
      } else {
        const slots = this.storage.get(entry.key)?.slots;
        if (entry.prev === ABSENT) slots?.delete(entry.slot);
        else slots?.set(entry.slot, entry.prev);
      }
    }
    this.changes++;
    if (this.marks.length === 0) this.originalStorageCache.clear();
  }

  /**
   * Applies this block's changes to the storage tries and the account trie in one batched
   * update each (every node on a changed path decoded and hashed once), puts the new nodes
   * and code into the write-back layer, drops the stored nodes the new tries no longer
   * reference (a whole storage trie when its account is deleted or its storage cleared) and
   * computes the flat-state changes.
   */
  async getStateRoot(): Promise<Uint8Array> {
    if (this.computed !== undefined && this.computed.changes === this.changes) {
      return this.computed.root;
    }
    const { keccak, load } = this;
    const nodes: { key: string; value: Uint8Array }[] = [];
    const keyed = (owner: Uint8Array | undefined, written: readonly TrieNodeWrite[]) => {
      for (const node of written) {
        nodes.push({ key: stateNodeKey(owner, node.hash), value: node.encoded });
      }
    };
    const dropped: string[] = [];
    const drop = (owner: Uint8Array | undefined, hashes: Iterable<Uint8Array>) => {
      for (const hash of hashes) dropped.push(stateNodeKey(owner, hash));
    };
    const flatWrites: FlatWrite[] = [];
    const accountTrie = createTrieUpdate({ root: this.stateRoot, load, keccak });
    const touched = new Set([...this.accounts.keys(), ...this.storage.keys()]);
    for (const key of touched) {
      const address = Buffer.from(key, "hex");
      const addressHash = this.addressHash(key, address);
      const base = this.baseAccount(key, address);
      const changed = this.accounts.get(key);
      const account = changed === undefined ? base : (changed ?? undefined);
      const overlay = this.storage.get(key);
      const baseRoot = base?.storageRoot ?? EMPTY_TRIE_ROOT;
      const root = account === undefined ? EMPTY_TRIE_ROOT : (overlay?.root ?? baseRoot);
      if (!equalsBytes(root, baseRoot)) {
        // The storage was replaced (deleted or cleared account: rare, as EIP-6780 limits
        // SELFDESTRUCT to accounts created in the same transaction): the base slots leave
        // the flat state and the new root's enter it. The tries list both, whether or not
        // this manager read the flat state, so the writes are complete either way.
        const ownerLoad = this.storageLoad(addressHash);
        for (const [slotHash] of trieEntries(baseRoot, ownerLoad)) {
          flatWrites.push({ kind: "storage", addressHash, slotHash, value: undefined });
        }
        // Only a wipe drops the old trie whole: a replacement by another non-empty root (which
        // EthereumJS's interface allows but the EVM never does) keeps it, unpruned but whole.
        if (equalsBytes(root, EMPTY_TRIE_ROOT))
          drop(addressHash, storedTrieNodes(baseRoot, ownerLoad));
        for (const [slotHash, leaf] of trieEntries(root, ownerLoad)) {
          flatWrites.push({ kind: "storage", addressHash, slotHash, value: flatSlotValue(leaf) });
        }
      }
      if (account === undefined) {
        if (base !== undefined) {
          accountTrie.del(addressHash);
          flatWrites.push({ kind: "account", addressHash, value: undefined });
        }
        continue;
      }
      let storageRoot = root;
      if (overlay !== undefined && overlay.slots.size > 0) {
        const storageTrie = createTrieUpdate({ root, load: this.storageLoad(addressHash), keccak });
        for (const [slot, value] of overlay.slots) {
          const slotHash = keccak(Buffer.from(slot, "hex"));
          if (value.length === 0) storageTrie.del(slotHash);
          else storageTrie.put(slotHash, RLP.encode(value));
          flatWrites.push({
            kind: "storage",
            addressHash,
            slotHash,
            value: value.length === 0 ? undefined : value,
          });
        }
        const committed = storageTrie.commit();
        storageRoot = committed.root;
        keyed(addressHash, committed.nodes);
        drop(addressHash, committed.dropped);
      }
      const rlp = new Account(
        account.nonce,
        account.balance,
        storageRoot,
        account.codeHash,
      ).serialize();
      accountTrie.put(addressHash, rlp);
      flatWrites.push({ kind: "account", addressHash, value: rlp });
      const code = this.codes.get(hex(account.codeHash));
      if (code !== undefined) await this.db.put(`63${hex(account.codeHash)}`, code);
    }
    const committed = accountTrie.commit();
    keyed(undefined, committed.nodes);
    drop(undefined, committed.dropped);
    await this.db.batch(nodes.map((node) => ({ type: "put" as const, ...node })));
    for (const key of dropped) this.db.drop(key);
    this.computed = { changes: this.changes, root: committed.root, flatWrites };
    return committed.root;
  }

  flatWrites(): readonly FlatWrite[] {
    return this.computed?.flatWrites ?? [];
  }

  flatStateChanged(): boolean {
    return this.flatSource !== undefined && this.flatSource.generation !== this.flatGeneration;
  }

  async setStateRoot(stateRoot: Uint8Array): Promise<void> {
    if (!(await this.hasStateRoot(stateRoot))) throw missingState(stateRoot);
    this.stateRoot = stateRoot;
    this.flat = equalsBytes(stateRoot, this.flatRoot) ? this.flatSource : undefined;
    this.clearCaches();
    this.accounts.clear();
    this.storage.clear();
    this.codes.clear();
    this.storedCodes.clear();
    this.undo = [];
    this.marks.length = 0;
    this.changes++;
  }

  async hasStateRoot(root: Uint8Array): Promise<boolean> {
    return equalsBytes(root, EMPTY_TRIE_ROOT) || this.load(root) !== undefined;
  }

  clearCaches(): void {
    this.baseAccounts.clear();
    this.baseSlots.clear();
  }

  shallowCopy(): BlockStateManager {
    return new BlockState({
      common: this.common,
      db: this.db,
      stateRoot: this.stateRoot,
      ...(this.flat === undefined ? {} : { flat: this.flat }),
    });
  }
}

/**
 * Creates the state manager one block executes on: EthereumJS's state manager interface over
 * a base state (a committed state root) plus this block's changes, journaled for the EVM's
 * checkpoints.
 *
 * Base reads come from the flat state when it holds exactly the base state (one synchronous
 * level read, usually a cache hit), else from the trie. `getStateRoot` applies the block's
 * changes to each storage trie and the account trie as one batched update each
 * ({@link createTrieUpdate}) instead of EthereumJS's put-by-put walks, and yields the
 * flat-state changes the block's commit stores in the same batch.
 *
 * Semantics follow EthereumJS's MerkleStateManager (the tests run both on the same blocks and
 * compare roots): values are returned and stored without leading zeros; storage of a deleted
 * or cleared account is gone; putStorage on a missing account throws; clearStorage of a
 * missing account creates it empty. One deliberate difference: an account's `storageRoot`
 * as returned during the block is the base root (or empty after a wipe), not one updated
 * for this block's writes, which only EIP-7610's collision check reads.
 *
 * @throws CustosError `STATE_NOT_AVAILABLE` when `stateRoot` or a node below it is not stored.
 * @example
 * ```ts
 * const stateManager = createBlockStateManager({ common, db, stateRoot, flat });
 * const vm = await createVM({ common, stateManager });
 * ```
 */
export function createBlockStateManager(options: BlockStateManagerOptions): BlockStateManager {
  const state = new BlockState(options);
  if (
    !equalsBytes(options.stateRoot, EMPTY_TRIE_ROOT) &&
    options.db.getSync(hex(options.stateRoot)) === undefined
  ) {
    throw missingState(options.stateRoot);
  }
  return state;
}
