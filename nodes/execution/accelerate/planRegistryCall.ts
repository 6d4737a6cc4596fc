import type { Log } from "@ethereumjs/evm";
import {
  type Address,
  bigIntToBytes,
  bytesToBigInt,
  bytesToHex,
  equalsBytes,
} from "@ethereumjs/util";
import { consentRecordWord, recordStatus } from "./consentRecordWord.ts";
import type { RegistryCall } from "./decodeRegistryCall.ts";
import type { EvmInternals } from "./EvmInternals.ts";
import { type AccessSchedule, registryGas } from "./registryGas.ts";
import { registryLogs } from "./registryLogs.ts";
import type { RegistrySlots } from "./registrySlots.ts";
import { validTerms } from "./validTerms.ts";

/** Status of the Consortium records `isRecorder` reads, on its `true` path. */
const CAPACITY_RECORDER = 2n;
const ROLE_HOSPITAL = 1n;
const MAX_UINT32 = 0xffff_ffffn;

/** What {@link planRegistryCall} reads and writes through. */
export interface PlanContext {
  readonly evm: EvmInternals;
  readonly schedule: AccessSchedule;
  readonly slots: RegistrySlots;
  readonly registry: Address;
  readonly consortium: Address;
  readonly consortiumCodeHash: Uint8Array;
}

/** The native outcome of one call, decided before anything is written. */
export interface RegistryPlan {
  /** Execution gas of the path. */
  readonly gas: bigint;
  /** Gas the message must have for the native path to engage (`gas` plus a margin). */
  readonly required: bigint;
  /** Makes the call's changes; returns its logs. */
  readonly write: () => Promise<Log[]>;
}

/**
 * Why a call must run on the interpreter: `revert` (its arguments alone make the contract
 * revert), `state` (the state takes it off the success path or outside the native paths).
 */
export type PlanFallback = "revert" | "state";

/** The inner `Consortium.isRecorder` call on its `true` path, as the registry makes it. */
interface RecorderCheck {
  /** Gas of the check in the registry's frame (the STATICCALL and the callee's use). */
  readonly gas: bigint;
  /** What the STATICCALL must have left beyond the path (the 63/64 rule). */
  readonly margin: bigint;
  /** The inner call's effects besides its reads: the EVM warms, and puts both accounts back. */
  readonly enter: () => Promise<void>;
}

/** A call past the checks every path shares: its sender a recorder of the custodian. */
interface Admitted {
  readonly caller: Address;
  readonly recorder: RecorderCheck;
  /** Gas of the `validUntil` check (0 without an end date, or for a revocation). */
  readonly validity: bigint;
}

function isZero(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}

/** Byte `k` counted from the low end of a big-endian value without leading zeros. */
function lowByte(value: Uint8Array, k: number): number {
  return value.length > k ? (value[value.length - 1 - k] as number) : 0;
}

/** A value for `putStorage` as the interpreter's SSTORE passes it (shortest big-endian). */
function storedValue(word: bigint): Uint8Array {
  return word === 0n ? new Uint8Array(0) : bigIntToBytes(word);
}

/**
 * The pure conditions: the contract reverts on each before it reads anything that matters
 * here (its ABI decoder, _checkChange, _checkTerms, the batch length check).
 */
function argumentsRevert(call: RegistryCall): boolean {
  if (call.kind === "batchGrant") {
    const seen = new Set<string>();
    for (const [i, subject] of call.subjects.entries()) {
      if (isZero(subject) || isZero(call.documentHashes[i] as Uint8Array)) return true;
      const key = bytesToHex(subject);
      // A subject twice in one batch: the contract rejects the second as already active.
      if (seen.has(key)) return true;
      seen.add(key);
    }
  } else if (isZero(call.subject) || isZero(call.documentHash)) {
    return true;
  }
  return call.kind !== "revoke" && !validTerms(call.terms);
}

/**
 * Consortium.isRecorder(custodian, caller), on its `true` path only: the binding names the
 * custodian in the Recorder capacity, and the custodian is an active hospital.
 */
async function checkRecorder(
  context: PlanContext,
  custodian: number,
  caller: Address,
): Promise<RecorderCheck | "state"> {
  const { evm, schedule, slots, registry, consortium } = context;
  const { journal, stateManager } = evm;
  const consortiumAccount = await stateManager.getAccount(consortium);
  if (
    consortiumAccount === undefined ||
    !equalsBytes(consortiumAccount.codeHash, context.consortiumCodeHash)
  ) {
    return "state";
  }
  const bindingSlot = slots.binding(caller.bytes);
  const organisationSlot = slots.organisation(custodian);
  const binding = bytesToBigInt(await stateManager.getStorage(consortium, bindingSlot));
  const organisation = bytesToBigInt(await stateManager.getStorage(consortium, organisationSlot));
  if (
    custodian === 0 ||
    (binding & MAX_UINT32) !== BigInt(custodian) ||
    ((binding >> 32n) & 0xffn) !== CAPACITY_RECORDER ||
    (organisation & 0xffn) !== ROLE_HOSPITAL ||
    ((organisation >> 8n) & 0xffn) !== 1n ||
    // One slot for both (a keccak collision) would make the second read warm.
    equalsBytes(bindingSlot, organisationSlot)
  ) {
    return "state";
  }
  const slotAccess = (slot: Uint8Array) =>
    journal.isWarmedStorage(consortium.bytes, slot) ? schedule.warmRead : schedule.coldSlot;
  const calleeGas = registryGas.isRecorder + slotAccess(bindingSlot) + slotAccess(organisationSlot);
  const consortiumWarm = journal.isWarmedAddress(consortium.bytes);
  return {
    gas: (consortiumWarm ? schedule.warmRead : schedule.coldAccount) + calleeGas,
    // The STATICCALL forwards all but 1/64 of what is left; with this much more than the path
    // needs, what is left at the call is at least 64/63 of what Consortium uses.
    margin: (calleeGas + 62n) / 63n,
    async enter() {
      journal.addWarmedAddress(consortium.bytes);
      journal.addWarmedStorage(consortium.bytes, bindingSlot);
      journal.addWarmedStorage(consortium.bytes, organisationSlot);
      // A message call moves its value (0 here) from caller to callee: the EVM puts both
      // accounts, unchanged, which touches them (EIP-161) and marks them changed in the block.
      const registryAccount = await stateManager.getAccount(registry);
      await journal.putAccount(registry, registryAccount);
      await journal.putAccount(consortium, consortiumAccount);
    },
  };
}

/** Gas of a record slot's access (EIP-2929) and of its first write in the transaction. */
function slotGas(context: PlanContext, slot: Uint8Array, original: Uint8Array): bigint {
  const { schedule, registry } = context;
  const access = context.evm.journal.isWarmedStorage(registry.bytes, slot)
    ? schedule.warmRead
    : schedule.coldSlot;
  // EIP-2200 for the first write of a slot in the transaction (current = original) with a
  // new value that differs (every write here changes the status byte): no refunds.
  return access + (isZero(original) ? schedule.storeSet : schedule.storeReset);
}

/** `batchGrant`: every subject new at the custodian, all granted version 1 on the same terms. */
async function planBatchGrant(
  context: PlanContext,
  call: Extract<RegistryCall, { kind: "batchGrant" }>,
  { caller, recorder, validity }: Admitted,
): Promise<RegistryPlan | PlanFallback> {
  const { evm, slots, registry } = context;
  const { journal, stateManager } = evm;
  const recordSlots: Uint8Array[] = [];
  let gas = registryGas.batchGrant + validity + recorder.gas;
  for (const subject of call.subjects) {
    const slot = slots.record(call.custodian, subject);
    const current = await stateManager.getStorage(registry, slot);
    // The loop checks the status byte (bits 144–151) only: any but None stops the batch.
    if (lowByte(current, 18) !== recordStatus.none) return "state";
    gas += registryGas.batchItem + slotGas(context, slot, current);
    recordSlots.push(slot);
  }
  const record = storedValue(
    consentRecordWord.pack(call.terms, recordStatus.active, 1n, BigInt(call.custodian), 1n),
  );
  return {
    gas,
    required: gas + recorder.margin,
    async write() {
      await recorder.enter();
      const events = registryLogs.grantedEvents(call.custodian, caller.bytes, 1n, call.terms);
      const logs: Log[] = [];
      for (let i = 0; i < recordSlots.length; i++) {
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

/** `grant` (of a new or revoked record) or `revoke` (of an active one) by a recorder. */
async function planRecordChange(
  context: PlanContext,
  call: Extract<RegistryCall, { kind: "grant" | "revoke" }>,
  { caller, recorder, validity }: Admitted,
): Promise<RegistryPlan | PlanFallback> {
  const { evm, slots, registry } = context;
  const { journal, stateManager } = evm;
  const slot = slots.record(call.custodian, call.subject);
  const current = await stateManager.getStorage(registry, slot);
  const word = bytesToBigInt(current);
  const status = consentRecordWord.status(word);
  const version = consentRecordWord.version(word) + 1n;
  const nonce = consentRecordWord.nonce(word) + 1n;
  // Checked arithmetic: version + 1 or nonce + 1 past uint32 panics.
  if (version > MAX_UINT32 || nonce > MAX_UINT32) return "revert";
  let base: bigint;
  let next: bigint;
  let log: Log;
  if (call.kind === "revoke") {
    if (status !== recordStatus.active) return "state";
    base = registryGas.revoke;
    next = consentRecordWord.revoked(word, version, nonce);
    log = registryLogs.revoked(
      registry.bytes,
      call.subject,
      call.custodian,
      caller.bytes,
      version,
      call.documentHash,
    );
  } else {
    if (status !== recordStatus.none && status !== recordStatus.revoked) return "state";
    base = status === recordStatus.none ? registryGas.grantNew : registryGas.grantAgain;
    next = consentRecordWord.pack(
      call.terms,
      recordStatus.active,
      version,
      BigInt(call.custodian),
      nonce,
    );
    log = registryLogs.granted(
      registry.bytes,
      registryLogs.grantedEvents(call.custodian, caller.bytes, version, call.terms),
      call.subject,
      call.documentHash,
    );
  }
  const gas = base + validity + recorder.gas + slotGas(context, slot, current);
  return {
    gas,
    required: gas + recorder.margin,
    async write() {
      journal.addWarmedStorage(registry.bytes, slot);
      await recorder.enter();
      await stateManager.putStorage(registry, slot, storedValue(next));
      return [log];
    },
  };
}

/**
 * Decides `call` from the arguments and the state, as the contract would: its execution gas
 * on the success path and the writes that make it, or why it must run on the interpreter.
 * Reads only (including warm/cold status); `write` makes the changes.
 *
 * @example
 * ```ts
 * const outcome = await planRegistryCall(context, decodeRegistryCall(message.data), message.caller);
 * if (typeof outcome !== "string" && message.gasLimit >= outcome.required) await outcome.write();
 * ```
 */
export async function planRegistryCall(
  context: PlanContext,
  call: RegistryCall,
  caller: Address,
): Promise<RegistryPlan | PlanFallback> {
  if (argumentsRevert(call)) return "revert";
  const recorder = await checkRecorder(context, call.custodian, caller);
  if (recorder === "state") return "state";
  const validity =
    call.kind !== "revoke" && call.terms.validUntil !== 0 ? registryGas.validUntilCheck : 0n;
  const admitted = { caller, recorder, validity };
  return call.kind === "batchGrant"
    ? planBatchGrant(context, call, admitted)
    : planRecordChange(context, call, admitted);
}
