import type { Common, StateManagerInterface } from "@ethereumjs/common";
import type { ExecResult, Log, Message } from "@ethereumjs/evm";
import type { Account, Address } from "@ethereumjs/util";

/**
 * What the native paths use of an EthereumJS 10.1.3 EVM: its interpreter entry point and the
 * journal's EIP-2929 methods (both outside its public typings), its state and its listeners.
 */
export interface EvmInternals {
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
