/**
 * What the node benchmark needs from a chain under test, whichever software runs it: a
 * JSON-RPC endpoint, the contracts' addresses and a way to stop it. Each chain is a separate
 * process on 127.0.0.1.
 */
import type { ChildHandle } from "./childProcesses.ts";
import type { JsonRpc } from "./jsonRpc.ts";

/** An account key. */
export interface ChainKey {
  readonly address: string;
  readonly privateKey: string;
}

/** Where the three contracts live. */
export interface ChainContracts {
  readonly consortium: string;
  readonly consentRegistry: string;
  readonly accessLedger: string;
}

/**
 * The accounts and contracts every chain of a run shares: the Custos dev node's genesis
 * (its `dev-keys.json`), replicated on the other chains.
 */
export interface ChainSetup {
  readonly chainId: number;
  readonly contracts: ChainContracts;
  /** Per hospital (organisation ids 1..): admin account, consent recorder, validator. */
  readonly hospitals: readonly {
    readonly account: ChainKey;
    readonly recorder: ChainKey;
    readonly validator: ChainKey;
  }[];
  readonly regulator: ChainKey;
  readonly researcher: ChainKey;
  readonly reviewBoard: ChainKey;
}

/** A running chain under test. */
export interface BenchChain {
  /** Short name used in the results, e.g. `edr-interval`. */
  readonly name: string;
  /** How the chain is configured, in words, for the results file. */
  readonly configuration: string;
  readonly rpc: JsonRpc;
  /** CPU seconds the chain's process has used so far. */
  cpuSeconds(): number;
  /** Stops the process and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Finishes starting a chain whose process is `child`: runs `prepare` (wait for the URL,
 * deploy, ...) and adds CPU accounting and `stop`; if `prepare` fails the process is stopped.
 *
 * @example
 * ```ts
 * const chain = await startedChain(child, async () => ({ name, configuration, rpc }));
 * ```
 */
export async function startedChain<T extends Omit<BenchChain, "cpuSeconds" | "stop">>(
  child: ChildHandle,
  prepare: () => Promise<T>,
): Promise<T & Pick<BenchChain, "cpuSeconds" | "stop">> {
  try {
    const chain = await prepare();
    return {
      ...chain,
      cpuSeconds: child.cpuSeconds,
      stop: async () => {
        await child.stop();
      },
    };
  } catch (error) {
    await child.stop();
    throw error;
  }
}
