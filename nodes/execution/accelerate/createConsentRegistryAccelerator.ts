import type { Common, StateManagerInterface } from "@ethereumjs/common";
import type { EVMInterface, ExecResult, Log, Message } from "@ethereumjs/evm";
import {
  type Account,
  Address,
  bigIntToBytes,
  bytesToBigInt,
  bytesToHex,
  createAddressFromString,
  equalsBytes,
  hexToBytes,
} from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { CustosError } from "../../../src/errors/index.ts";
// The module, not ../../db/index.ts: the engine's call workers must not load level for this.
import { installedPackageVersion } from "../../db/installedPackageVersion.ts";
import { CUSTOS_HARDFORK } from "../createCustosCommon.ts";
import { PINNED_EVM_VERSION } from "../installEvmPatches.ts";
import { acceleratedBytecode } from "./acceleratedBytecode.ts";
import { consentRecordWord, recordStatus } from "./consentRecordWord.ts";
import { decodeRegistryCall, type RegistryCall } from "./decodeRegistryCall.ts";
import { matchRegistryCode } from "./matchRegistryCode.ts";
import { type AccessSchedule, registryGas } from "./registryGas.ts";
import { registryLogs } from "./registryLogs.ts";
import { createRegistrySlots, type RegistrySlots } from "./registrySlots.ts";
import { validTerms } from "./validTerms.ts";

/** Options of {@link createConsentRegistryAccelerator}. */
export interface ConsentRegistryAcceleratorOptions {
  /** The genesis ConsentRegistry's address (`genesis.contracts.consentRegistry`). */
  readonly consentRegistry: Uint8Array | string;
}

/**
 * Why a top-level call of the registry ran on the interpreter: `context` (value sent, a
 * static or nested frame, tracing listeners), `code` (not the bytecode the native paths were
 * written for, or its Consortium's), `calldata` (another function, or not its canonical
 * encoding), `revert` (the arguments alone make the contract revert), `state` (the record's
 * status, or the sender not a recorder of the custodian: a revert, or a path not covered
 * such as a patient key's grant), `gas` (too little gas for the path, with margin).
 */
export type AcceleratorFallback = "context" | "code" | "calldata" | "revert" | "state" | "gas";

/** Counts of top-level registry calls since the accelerator was created. */
export interface AcceleratorStats {
  /** Executed natively. */
  readonly accelerated: number;
  /** Left to the interpreter, by reason. */
  readonly fallbacks: Readonly<Record<AcceleratorFallback, number>>;
}

/** Native execution of ConsentRegistry's hot functions, installed on a block's EVM. */
export interface ConsentRegistryAccelerator {
  /**
   * Makes `evm` execute covered calls of the registry natively (the rest, as before, on its
   * interpreter). Installs nothing on an EVM whose chain rules are not Cancun without extra
   * EIPs (the gas the native paths charge is Cancun's); a second install is a no-op.
   */
  install(evm: EVMInterface): void;
  /** What happened to the registry calls so far. */
  stats(): AcceleratorStats;
}

/**
 * What the native paths use of an EthereumJS 10.1.3 EVM: its interpreter entry point and the
 * journal's EIP-2929 methods (both outside its public typings), its state and its listeners.
 */
interface EvmInternals {
  readonly common: Common;
  readonly stateManager: StateManagerInterface;
  readonly events: { listenerCount(event: string): number };
  readonly journal: {
    isWarmedAddress(address: Uint8Array): boolean;
    addWarmedAddress(address: Uint8Array): void;
    isWarmedStorage(address: Uint8Array, slot: Uint8Array): boolean;
    addWarmedStorage(address: Uint8Array, slot: Uint8Array): void;
    putAccount(address: Address, account: Account | undefined): Promise<void>;
  };
  runInterpreter(
    message: Message,
    opts?: { readonly pc?: number; readonly initialLogs?: Log[] },
  ): Promise<ExecResult>;
}

/** Status of the Consortium records `isRecorder` reads, on its `true` path. */
const CAPACITY_RECORDER = 2n;
const ROLE_HOSPITAL = 1n;
const MAX_UINT32 = 0xffff_ffffn;

const installed = new WeakSet<EVMInterface>();

function isZero(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}

/** Byte `k` counted from the low end of a big-endian value without leading zeros. */
function lowByte(value: Uint8Array, k: number): number {
  return value.length > k ? (value[value.length - 1 - k] as number) : 0;
}

/** The registry's address from the options. */
function registryAddress(address: Uint8Array | string): Address {
  if (typeof address === "string") return createAddressFromString(address);
  if (address.length === 20) return new Address(address);
  throw new CustosError("INVALID_ARGUMENT", "consentRegistry must be a 20-byte address", {
    details: { field: "consentRegistry" },
  });
}

/** A value for `putStorage` as the interpreter's SSTORE passes it (shortest big-endian). */
function storedValue(word: bigint): Uint8Array {
  return word === 0n ? new Uint8Array(0) : bigIntToBytes(word);
}

/** The native outcome of one call, decided before anything is written. */
interface Plan {
  /** Execution gas of the path. */
  readonly gas: bigint;
  /** Gas the message must have for the native path to engage (`gas` plus a margin). */
  readonly required: bigint;
  /** Makes the call's changes; returns its logs. */
  readonly write: () => Promise<Log[]>;
}

/**
 * Creates the accelerator of ConsentRegistry's hot functions: `grant` and `revoke` by a
 * recorder of the custodian, and `batchGrant`, executed in TypeScript in place of the
 * interpreter, with exactly the interpreter's effects (storage writes, logs, return data,
 * gas, warm accounts and slots, touched accounts), so a block's receipts, bloom, state root
 * and hash are the same either way.
 *
 * It engages only for a top-level call (the transaction's own, no value, no tracing
 * listeners) of the genesis registry address whose code is exactly the pinned bytecode
 * ({@link acceleratedBytecode}) and whose Consortium's is too, with canonical calldata of a
 * covered function, on the success path: every argument and state condition under which the
 * contract would revert (zero subject or document, invalid terms, a duplicate in a batch, a
 * record not in the required status, a version or nonce at its maximum, a sender that is not
 * a recorder of an active hospital custodian) and every path it does not model (a grant or
 * revoke by a patient key or delegate) falls back to the interpreter, as does too little gas
 * for the path plus a margin that keeps the 63/64 rule from starving the inner call to
 * Consortium. Nothing is written until the whole call has been decided, so a fallback runs
 * the interpreter on untouched state and every error path is the interpreter's own.
 *
 * @throws CustosError `EVM_VERSION_UNSUPPORTED` when `@ethereumjs/evm` is not the pinned
 *   version (the native paths mirror its interpreter's gas accounting); `INVALID_ARGUMENT`
 *   for an address that is not 20 bytes.
 * @example
 * ```ts
 * const accelerator = createConsentRegistryAccelerator({
 *   consentRegistry: genesis.contracts.consentRegistry,
 * });
 * const engine = createExecutionEngine({ chainDb, accelerator });
 * ```
 */
export function createConsentRegistryAccelerator(
  options: ConsentRegistryAcceleratorOptions,
): ConsentRegistryAccelerator {
  const version = installedPackageVersion("@ethereumjs/evm");
  if (version !== PINNED_EVM_VERSION) {
    throw new CustosError(
      "EVM_VERSION_UNSUPPORTED",
      `@ethereumjs/evm ${version} is installed; the ConsentRegistry accelerator is for ${PINNED_EVM_VERSION} only`,
      { details: { installed: version, pinned: PINNED_EVM_VERSION } },
    );
  }
  const registry = registryAddress(options.consentRegistry);
  const consortiumCodeHash = hexToBytes(`0x${acceleratedBytecode.consortiumCodeHash}`);
  // Code object → its Consortium (null: not the pinned bytecode); a block's state manager
  // hands out one code object per account, so each block hashes the code once.
  const matched = new WeakMap<Uint8Array, Address | null>();
  let accelerated = 0;
  const fallbacks: Record<AcceleratorFallback, number> = {
    context: 0,
    code: 0,
    calldata: 0,
    revert: 0,
    state: 0,
    gas: 0,
  };

  function consortiumOf(code: Uint8Array, keccak: (data: Uint8Array) => Uint8Array) {
    let consortium = matched.get(code);
    if (consortium === undefined) {
      const bytes = matchRegistryCode(code, keccak);
      consortium = bytes === undefined ? null : new Address(bytes);
      matched.set(code, consortium);
    }
    return consortium;
  }

  function install(publicEvm: EVMInterface): void {
    if (installed.has(publicEvm)) return;
    installed.add(publicEvm);
    const evm = publicEvm as unknown as EvmInternals;
    const { common } = evm;
    if (common.hardfork() !== CUSTOS_HARDFORK || common.eips().length > 0) return;
    const keccak = common.customCrypto.keccak256 ?? keccak_256;
    const schedule: AccessSchedule = {
      coldSlot: common.param("coldsloadGas"),
      coldAccount: common.param("coldaccountaccessGas"),
      warmRead: common.param("warmstoragereadGas"),
      storeSet: common.param("sstoreInitEIP2200Gas"),
      storeReset: common.param("sstoreCleanEIP2200Gas"),
    };
    const slots = createRegistrySlots(keccak);
    const interpret = evm.runInterpreter;

    async function native(message: Message, pc: number | undefined, initialLogs: unknown) {
      const to = message.to;
      if (message.depth !== 0 || to === undefined || !equalsBytes(to.bytes, registry.bytes)) {
        return undefined;
      }
      const { code } = message;
      if (
        message.value !== 0n ||
        message.isStatic ||
        message.delegatecall ||
        message.isCreate === true ||
        pc !== undefined ||
        initialLogs !== undefined ||
        message.accessWitness !== undefined ||
        !(code instanceof Uint8Array) ||
        (message._codeAddress !== undefined && !message._codeAddress.equals(to)) ||
        evm.events.listenerCount("step") > 0 ||
        evm.events.listenerCount("beforeMessage") > 0 ||
        evm.events.listenerCount("afterMessage") > 0
      ) {
        fallbacks.context++;
        return undefined;
      }
      const consortium = consortiumOf(code, keccak);
      if (consortium === null) {
        fallbacks.code++;
        return undefined;
      }
      const call = decodeRegistryCall(message.data);
      if (call === undefined) {
        fallbacks.calldata++;
        return undefined;
      }
      const outcome = await plan(
        { evm, schedule, slots, registry: to, consortium, consortiumCodeHash },
        call,
        message.caller,
      );
      if (typeof outcome === "string") {
        fallbacks[outcome]++;
        return undefined;
      }
      if (message.gasLimit < outcome.required) {
        fallbacks.gas++;
        return undefined;
      }
      const logs = await outcome.write();
      accelerated++;
      return {
        returnValue: new Uint8Array(0),
        executionGasUsed: outcome.gas,
        gas: message.gasLimit - outcome.gas,
        gasRefund: message.gasRefund,
        logs,
        selfdestruct: message.selfdestruct ?? new Map(),
        createdAddresses: message.createdAddresses ?? new Set(),
      } satisfies ExecResult;
    }

    evm.runInterpreter = async function runInterpreter(message, opts = {}) {
      const result = await native(message, opts.pc, opts.initialLogs);
      return result ?? interpret.call(evm, message, opts);
    };
  }

  return {
    install,
    stats: () => ({ accelerated, fallbacks: { ...fallbacks } }),
  };
}

/** What {@link plan} reads and writes through. */
interface PlanContext {
  readonly evm: EvmInternals;
  readonly schedule: AccessSchedule;
  readonly slots: RegistrySlots;
  readonly registry: Address;
  readonly consortium: Address;
  readonly consortiumCodeHash: Uint8Array;
}

/**
 * Decides `call` from the arguments and the state, as the contract would: its execution gas
 * on the success path and the writes that make it, or why it must run on the interpreter.
 * Reads only (including warm/cold status); `write` makes the changes.
 */
async function plan(
  context: PlanContext,
  call: RegistryCall,
  caller: Address,
): Promise<Plan | Exclude<AcceleratorFallback, "context" | "code" | "calldata" | "gas">> {
  const { evm, schedule, slots, registry, consortium } = context;
  const { journal, stateManager } = evm;
  const slotAccess = (address: Address, slot: Uint8Array) =>
    journal.isWarmedStorage(address.bytes, slot) ? schedule.warmRead : schedule.coldSlot;
  // EIP-2200 for the first write of a slot in the transaction (current = original) with a
  // new value that differs (every write here changes the status byte): no refunds.
  const store = (original: Uint8Array) =>
    isZero(original) ? schedule.storeSet : schedule.storeReset;

  // Pure conditions first: the contract reverts on each before it reads anything that
  // matters here (its ABI decoder, _checkChange, _checkTerms, the batch length check).
  if (call.kind === "batchGrant") {
    const seen = new Set<string>();
    for (const [i, subject] of call.subjects.entries()) {
      if (isZero(subject) || isZero(call.documentHashes[i] as Uint8Array)) return "revert";
      const key = bytesToHex(subject);
      // A subject twice in one batch: the contract rejects the second as already active.
      if (seen.has(key)) return "revert";
      seen.add(key);
    }
  } else if (isZero(call.subject) || isZero(call.documentHash)) {
    return "revert";
  }
  if (call.kind !== "revoke" && !validTerms(call.terms)) return "revert";

  // Consortium.isRecorder(custodian, caller), on its `true` path only: the binding names
  // the custodian in the Recorder capacity, and the custodian is an active hospital.
  const consortiumAccount = await stateManager.getAccount(consortium);
  if (
    consortiumAccount === undefined ||
    !equalsBytes(consortiumAccount.codeHash, context.consortiumCodeHash)
  ) {
    return "state";
  }
  const bindingSlot = slots.binding(caller.bytes);
  const organisationSlot = slots.organisation(call.custodian);
  const binding = bytesToBigInt(await stateManager.getStorage(consortium, bindingSlot));
  const organisation = bytesToBigInt(await stateManager.getStorage(consortium, organisationSlot));
  if (
    call.custodian === 0 ||
    (binding & MAX_UINT32) !== BigInt(call.custodian) ||
    ((binding >> 32n) & 0xffn) !== CAPACITY_RECORDER ||
    (organisation & 0xffn) !== ROLE_HOSPITAL ||
    ((organisation >> 8n) & 0xffn) !== 1n ||
    // One slot for both (a keccak collision) would make the second read warm.
    equalsBytes(bindingSlot, organisationSlot)
  ) {
    return "state";
  }
  const calleeGas =
    registryGas.isRecorder +
    slotAccess(consortium, bindingSlot) +
    slotAccess(consortium, organisationSlot);
  const consortiumWarm = journal.isWarmedAddress(consortium.bytes);
  const recorderCheck = (consortiumWarm ? schedule.warmRead : schedule.coldAccount) + calleeGas;
  // The STATICCALL forwards all but 1/64 of what is left; with this much more than the path
  // needs, what is left at the call is at least 64/63 of what Consortium uses.
  const margin = (calleeGas + 62n) / 63n;
  const terms = call.kind === "revoke" ? undefined : call.terms;
  const validity = terms !== undefined && terms.validUntil !== 0 ? registryGas.validUntilCheck : 0n;

  /** The inner call's effects besides its reads: the EVM warms, and puts both accounts back. */
  async function enterConsortium(): Promise<void> {
    journal.addWarmedAddress(consortium.bytes);
    journal.addWarmedStorage(consortium.bytes, bindingSlot);
    journal.addWarmedStorage(consortium.bytes, organisationSlot);
    // A message call moves its value (0 here) from caller to callee: the EVM puts both
    // accounts, unchanged, which touches them (EIP-161) and marks them changed in the block.
    const registryAccount = await stateManager.getAccount(registry);
    await journal.putAccount(registry, registryAccount);
    await journal.putAccount(consortium, consortiumAccount);
  }

  if (call.kind === "batchGrant") {
    const n = call.subjects.length;
    const recordSlots: Uint8Array[] = [];
    let gas = registryGas.batchGrant + validity + recorderCheck;
    for (const subject of call.subjects) {
      const slot = slots.record(call.custodian, subject);
      const current = await stateManager.getStorage(registry, slot);
      // The loop checks the status byte (bits 144–151) only: any but None stops the batch.
      if (lowByte(current, 18) !== recordStatus.none) return "state";
      gas += registryGas.batchItem + slotAccess(registry, slot) + store(current);
      recordSlots.push(slot);
    }
    const record = storedValue(
      consentRecordWord.pack(call.terms, recordStatus.active, 1n, BigInt(call.custodian), 1n),
    );
    return {
      gas,
      required: gas + margin,
      async write() {
        await enterConsortium();
        const events = registryLogs.grantedEvents(call.custodian, caller.bytes, 1n, call.terms);
        const logs: Log[] = [];
        for (let i = 0; i < n; i++) {
          const slot = recordSlots[i] as Uint8Array;
          journal.addWarmedStorage(registry.bytes, slot);
          await stateManager.putStorage(registry, slot, new Uint8Array(record));
          logs.push(
            registryLogs.granted(
              registry.bytes,
              events,
              call.subjects[i] as Uint8Array,
              call.documentHashes[i] as Uint8Array,
            ),
          );
        }
        return logs;
      },
    };
  }

  const slot = slots.record(call.custodian, call.subject);
  const current = await stateManager.getStorage(registry, slot);
  const word = bytesToBigInt(current);
  const status = consentRecordWord.status(word);
  const recordVersion = consentRecordWord.version(word);
  const recordNonce = consentRecordWord.nonce(word);
  // Checked arithmetic: version + 1 or nonce + 1 past uint32 panics.
  if (recordVersion === MAX_UINT32 || recordNonce === MAX_UINT32) return "revert";
  let base: bigint;
  let next: bigint;
  if (call.kind === "revoke") {
    if (status !== recordStatus.active) return "state";
    base = registryGas.revoke;
    next = consentRecordWord.revoked(word, recordVersion + 1n, recordNonce + 1n);
  } else {
    if (status !== recordStatus.none && status !== recordStatus.revoked) return "state";
    base = status === recordStatus.none ? registryGas.grantNew : registryGas.grantAgain;
    next = consentRecordWord.pack(
      call.terms,
      recordStatus.active,
      recordVersion + 1n,
      BigInt(call.custodian),
      recordNonce + 1n,
    );
  }
  const gas = base + validity + slotAccess(registry, slot) + recorderCheck + store(current);
  return {
    gas,
    required: gas + margin,
    async write() {
      journal.addWarmedStorage(registry.bytes, slot);
      await enterConsortium();
      await stateManager.putStorage(registry, slot, storedValue(next));
      return [
        call.kind === "revoke"
          ? registryLogs.revoked(
              registry.bytes,
              call.subject,
              call.custodian,
              caller.bytes,
              recordVersion + 1n,
              call.documentHash,
            )
          : registryLogs.granted(
              registry.bytes,
              registryLogs.grantedEvents(
                call.custodian,
                caller.bytes,
                recordVersion + 1n,
                call.terms,
              ),
              call.subject,
              call.documentHash,
            ),
      ];
    },
  };
}
