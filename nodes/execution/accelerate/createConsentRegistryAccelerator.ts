import type { EVMInterface, ExecResult, Message } from "@ethereumjs/evm";
import { Address, createAddressFromString, equalsBytes, hexToBytes } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { CustosError } from "../../../src/errors/index.ts";
// The module, not ../../db/index.ts: the engine's call workers must not load level for this.
import { installedPackageVersion } from "../../db/installedPackageVersion.ts";
import { CUSTOS_HARDFORK } from "../createCustosCommon.ts";
import { PINNED_EVM_VERSION } from "../installEvmPatches.ts";
import { acceleratedBytecode } from "./acceleratedBytecode.ts";
import { decodeRegistryCall } from "./decodeRegistryCall.ts";
import type { EvmInternals } from "./EvmInternals.ts";
import { matchRegistryCode } from "./matchRegistryCode.ts";
import { planRegistryCall } from "./planRegistryCall.ts";
import type { AccessSchedule } from "./registryGas.ts";
import { createRegistrySlots } from "./registrySlots.ts";

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

const installed = new WeakSet<EVMInterface>();

/** The registry's address from the options. */
function registryAddress(address: Uint8Array | string): Address {
  if (typeof address === "string") return createAddressFromString(address);
  if (address.length === 20) return new Address(address);
  throw new CustosError("INVALID_ARGUMENT", "consentRegistry must be a 20-byte address", {
    details: { field: "consentRegistry" },
  });
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
      const outcome = await planRegistryCall(
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
