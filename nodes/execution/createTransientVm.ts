import type { Common, StateManagerInterface } from "@ethereumjs/common";
import { createEVM, type EVM, type EVMMockBlockchainInterface } from "@ethereumjs/evm";
import { createVM, type VM } from "@ethereumjs/vm";

/** What a short-lived VM or EVM executes on. */
export interface TransientVmOptions {
  /** The chain's shared `Common` (not copied: copying it is most of a VM's set-up cost). */
  readonly common: Common;
  readonly stateManager: StateManagerInterface;
  /** Answers BLOCKHASH (see `canonicalBlockHashes`). */
  readonly blockchain: EVMMockBlockchainInterface;
}

const HARDFORK_CHANGED = "hardforkChanged";

/**
 * Runs `create` and takes back the `hardforkChanged` listener every EthereumJS EVM registers
 * on the `Common` it is given. The engine builds an EVM per block and per call on the node's
 * one `Common`; each listener closes over its EVM (state manager, caches, write buffers), so
 * without this the node kept every EVM it ever made — a leak of one EVM per block and per
 * eth_call. The listener only matters when the hardfork changes, which a Custos chain never
 * does (Cancun from block 0).
 */
async function detached<T>(common: Common, create: () => Promise<T>): Promise<T> {
  const before = new Set(common.events.listeners(HARDFORK_CHANGED));
  const made = await create();
  for (const listener of common.events.listeners(HARDFORK_CHANGED)) {
    if (!before.has(listener)) common.events.off(HARDFORK_CHANGED, listener);
  }
  return made;
}

/**
 * A VM for one block's execution on the node's shared `Common`, leaving nothing attached
 * to it once the VM is garbage.
 *
 * @example
 * ```ts
 * const vm = await createTransientVm({ common, stateManager, blockchain });
 * ```
 */
export function createTransientVm(options: TransientVmOptions): Promise<VM> {
  return detached(options.common, () => createVM({ ...options }));
}

/**
 * An EVM for one message call (eth_call, eth_estimateGas): cheaper than a VM, whose set-up
 * adds its own parameters and opcode tables, and it too leaves nothing attached to `Common`.
 *
 * @example
 * ```ts
 * const result = await (await createTransientEvm({ common, stateManager, blockchain })).runCall(opts);
 * ```
 */
export function createTransientEvm(options: TransientVmOptions): Promise<EVM> {
  return detached(options.common, () => createEVM({ ...options }));
}
