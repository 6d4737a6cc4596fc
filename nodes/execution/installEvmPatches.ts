import { CustosError } from "../../src/errors/index.ts";
// The module, not ../db/index.ts: worker threads install the patches without loading level.
import { installedPackageVersion } from "../db/installedPackageVersion.ts";
import {
  installFastInterpreterLoop,
  setFastInterpreterLoop,
} from "./installFastInterpreterLoop.ts";
import { installJumpAnalysisCache, setJumpAnalysisCache } from "./installJumpAnalysisCache.ts";

/**
 * The one `@ethereumjs/evm` version the patches were written against and tested on (package.json
 * pins it exactly; a test checks the two agree). Upgrading means reading the new interpreter,
 * porting the patches and running their equivalence tests before changing this.
 */
export const PINNED_EVM_VERSION = "10.1.3";

/** Options of {@link installEvmPatches}. */
export interface EvmPatchOptions {
  /** The installed `@ethereumjs/evm` version; read from its package.json when omitted. */
  readonly evmVersion?: string;
}

/**
 * Installs the node's two patches of EthereumJS's interpreter, once per thread, at the
 * wiring point (node start-up, each call worker, benchmarks, test fixtures) rather than as a
 * side effect of importing the engine:
 *
 * - a per-code cache of the jump-destination analysis (`installJumpAnalysisCache`);
 * - an interpreter loop that awaits only the opcodes that need it (`installFastInterpreterLoop`).
 *
 * Both reach into the interpreter's internal files by URL, so they are installed only on the
 * exact `@ethereumjs/evm` version they were written for ({@link PINNED_EVM_VERSION}).
 * Execution without them is identical, only slower (the tests replay random blocks built
 * with them on the unpatched interpreter).
 *
 * @throws CustosError `EVM_VERSION_UNSUPPORTED` when the installed `@ethereumjs/evm` is not
 *   the pinned version, or its interpreter is not where that version keeps it.
 * @example
 * ```ts
 * await installEvmPatches(); // before the first block executes
 * ```
 */
export async function installEvmPatches(options: EvmPatchOptions = {}): Promise<void> {
  const version = options.evmVersion ?? installedPackageVersion("@ethereumjs/evm");
  if (version !== PINNED_EVM_VERSION) {
    throw new CustosError(
      "EVM_VERSION_UNSUPPORTED",
      `@ethereumjs/evm ${version} is installed; the interpreter patches are for ${PINNED_EVM_VERSION} only`,
      { details: { installed: version, pinned: PINNED_EVM_VERSION } },
    );
  }
  const installed = [await installJumpAnalysisCache(), await installFastInterpreterLoop()];
  if (installed.includes(false)) {
    throw new CustosError(
      "EVM_VERSION_UNSUPPORTED",
      `@ethereumjs/evm ${version}: the interpreter is not where the patches expect it`,
      { details: { installed: version, pinned: PINNED_EVM_VERSION } },
    );
  }
}

/**
 * Turns installed patches on or off from the next message call (each field left out keeps
 * its setting): the execution benchmark compares variants in one process, and the tests
 * replay blocks built with the patches on the unpatched interpreter.
 *
 * @example
 * ```ts
 * setEvmPatches({ fastLoop: false, jumpAnalysisCache: false }); // EthereumJS as shipped
 * ```
 */
export function setEvmPatches(settings: {
  readonly fastLoop?: boolean;
  readonly jumpAnalysisCache?: boolean;
}): void {
  if (settings.fastLoop !== undefined) setFastInterpreterLoop(settings.fastLoop);
  if (settings.jumpAnalysisCache !== undefined) setJumpAnalysisCache(settings.jumpAnalysisCache);
}
