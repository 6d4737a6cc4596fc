import { Block } from "@ethereumjs/block";
import type { ConsentRegistryAccelerator } from "./createConsentRegistryAccelerator.ts";

/** A block context (header only) that carries the accelerator its transactions run with. */
class AcceleratedContext extends Block {
  readonly accelerator: ConsentRegistryAccelerator;

  constructor(block: Block, accelerator: ConsentRegistryAccelerator) {
    // Not frozen by Block's constructor, which would forbid setting the field below.
    super(block.header, [], [], undefined, { freeze: false });
    this.accelerator = accelerator;
    Object.freeze(this);
  }
}

/**
 * The context to execute `block`'s transactions in: `block` itself without an accelerator,
 * else a header-only block carrying it. Block building and block replay hand the context to
 * the transaction loop through the executor, which passes it on untouched; execution reads
 * only the context's header (number, time, coinbase, gas limit, base fee).
 *
 * @example
 * ```ts
 * const context = acceleratedContext(block, options.accelerator);
 * acceleratorOf(context); // options.accelerator
 * ```
 */
export function acceleratedContext(
  block: Block,
  accelerator: ConsentRegistryAccelerator | undefined,
): Block {
  return accelerator === undefined ? block : new AcceleratedContext(block, accelerator);
}

/**
 * The accelerator a context made by {@link acceleratedContext} carries, if any.
 *
 * @example
 * ```ts
 * acceleratorOf(context)?.install(vm.evm);
 * ```
 */
export function acceleratorOf(context: Block): ConsentRegistryAccelerator | undefined {
  return context instanceof AcceleratedContext ? context.accelerator : undefined;
}
