import type { QbftBlock } from "../core/index.ts";

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/**
 * What the simulator knows about blocks beyond what the cores say: every block a validator
 * built (honest or Byzantine), whether it executes, and who signed a proposal for which
 * digest. The driver answers `validateBlock` from it, and the validity checker asks it
 * whether a committed block was built and proposed by the right validators.
 *
 * @example
 * ```ts
 * registry.built(block, true);
 * registry.proposed(block.digest, proposerAddress);
 * registry.executes(block); // true
 * ```
 */
export class SimBlockRegistry {
  /** By on-chain hash (the same at every round): whether the block executes. */
  private readonly blocks = new Map<string, boolean>();
  /** By digest: the addresses that signed a proposal of it. */
  private readonly proposals = new Map<string, Set<string>>();

  /** Records a block a validator built; `executes` false for one that fails execution. */
  built(block: QbftBlock, executes: boolean): void {
    this.blocks.set(hex(block.hash), executes);
  }

  /** Whether `block` was built by a validator and executes (re-execution's verdict). */
  executes(block: QbftBlock): boolean {
    return this.blocks.get(hex(block.hash)) === true;
  }

  /** Records that `author` signed a proposal of the block with `digest`. */
  proposed(digest: Uint8Array, author: Uint8Array): void {
    const key = hex(digest);
    let authors = this.proposals.get(key);
    if (authors === undefined) {
      authors = new Set();
      this.proposals.set(key, authors);
    }
    authors.add(hex(author));
  }

  /** Whether `author` signed a proposal of the block with `digest`. */
  wasProposedBy(digest: Uint8Array, author: Uint8Array): boolean {
    return this.proposals.get(hex(digest))?.has(hex(author)) === true;
  }
}
