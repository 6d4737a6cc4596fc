import { BlockHeader } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { CustosError } from "../../src/errors/index.ts";
import { installedPackageVersion } from "./installedPackageVersion.ts";

/**
 * How the blocks of a chain are hashed: the hash every child's `parentHash`, the database's
 * keys and JSON-RPC name a block by. Installed into EthereumJS's `BlockHeader.hash` by
 * {@link installBlockHashRule}; nodes/chain defines Custos's (Besu's QBFT on-chain hash).
 *
 * @example
 * ```ts
 * const rule: BlockHashRule = {
 *   name: "qbft-onchain",
 *   appliesTo: (common) => common.consensusAlgorithm() === "qbft",
 *   hashFields: (fields) => qbftHashOfFields(fields),
 * };
 * ```
 */
export interface BlockHashRule {
  /** Stable name, recorded in every chain database written under the rule. */
  readonly name: string;
  /** Whether headers of this chain (`header.common`) are hashed by the rule. */
  appliesTo(common: Common): boolean;
  /** The block hash of a header given its RLP fields, in order (15 to 21 byte strings). */
  hashFields(fields: readonly Uint8Array[]): Uint8Array;
}

/**
 * Name of EthereumJS's own rule (keccak-256 of the header's RLP as it stands), under which
 * every database written before the QBFT rule was written; a database without a recorded
 * rule is of that kind.
 *
 * @example
 * ```ts
 * if (blockHashRuleName() === HEADER_RLP_HASH_RULE) console.warn("no block-hash rule installed");
 * ```
 */
export const HEADER_RLP_HASH_RULE = "header-rlp";

/**
 * The one `@ethereumjs/block` version whose `BlockHeader.hash` the patch replaces (package.json
 * pins it exactly; a test checks the two agree): the patch relies on `raw()` giving the
 * header's RLP fields, and on headers being frozen once built.
 */
export const PINNED_BLOCK_VERSION = "10.1.3";

/** Options of {@link installBlockHashRule}. */
export interface BlockHashRuleOptions {
  /** The installed `@ethereumjs/block` version; read from its package.json when omitted. */
  readonly blockVersion?: string;
}

/** Where the installed rule is kept: on the patched function, so every module copy sees it. */
const RULE: unique symbol = Symbol.for("custos.blockHashRule");

type TaggedHash = BlockHeader["hash"] & { [RULE]?: BlockHashRule };

/** Hashes of frozen headers (EthereumJS caches its own the same way, for frozen headers only). */
const hashes = new WeakMap<BlockHeader, Uint8Array>();

/**
 * The rule `BlockHeader.hash` follows in this thread, or undefined when EthereumJS's own.
 *
 * @example
 * ```ts
 * const rule = installedBlockHashRule();
 * ```
 */
export function installedBlockHashRule(): BlockHashRule | undefined {
  return (BlockHeader.prototype.hash as TaggedHash)[RULE];
}

/**
 * The name of the rule headers of `common` are hashed by in this thread: the installed rule's
 * when it applies to them, else {@link HEADER_RLP_HASH_RULE}. The chain database records it
 * and refuses to open under another.
 *
 * @example
 * ```ts
 * blockHashRuleName(chainDb.common); // "qbft-onchain" once installQbftBlockHash() ran
 * ```
 */
export function blockHashRuleName(common: Common): string {
  const rule = installedBlockHashRule();
  return rule?.appliesTo(common) === true ? rule.name : HEADER_RLP_HASH_RULE;
}

/**
 * Replaces EthereumJS's `BlockHeader.hash` (and so `Block.hash`) in this thread: headers whose
 * chain the rule applies to are hashed by it, others as EthereumJS hashes them. A frozen
 * header's hash is computed once. Installed explicitly at each wiring point (node start-up,
 * the CLI commands that read a chain database, test fixtures and benchmarks), never as a side
 * effect of an import; installing the same rule again does nothing.
 *
 * @throws CustosError `BLOCK_HASH_PATCH_UNSUPPORTED` when the installed `@ethereumjs/block` is
 *   not {@link PINNED_BLOCK_VERSION}; `INTERNAL` when another rule is already installed.
 * @example
 * ```ts
 * installBlockHashRule(qbftBlockHashRule); // before the first block is hashed
 * ```
 */
export function installBlockHashRule(
  rule: BlockHashRule,
  options: BlockHashRuleOptions = {},
): void {
  const version = options.blockVersion ?? installedPackageVersion("@ethereumjs/block");
  if (version !== PINNED_BLOCK_VERSION) {
    throw new CustosError(
      "BLOCK_HASH_PATCH_UNSUPPORTED",
      `@ethereumjs/block ${version} is installed; the block-hash patch is for ${PINNED_BLOCK_VERSION} only`,
      { details: { installed: version, pinned: PINNED_BLOCK_VERSION } },
    );
  }
  const current = installedBlockHashRule();
  if (current !== undefined) {
    if (current.name === rule.name) return;
    throw new CustosError("INTERNAL", "another block-hash rule is already installed", {
      details: { installed: current.name, requested: rule.name },
    });
  }
  const original = BlockHeader.prototype.hash;
  const hash: TaggedHash = function hash(this: BlockHeader): Uint8Array {
    if (!rule.appliesTo(this.common)) return original.call(this);
    const cached = hashes.get(this);
    if (cached !== undefined) return cached;
    const computed = rule.hashFields(this.raw());
    if (Object.isFrozen(this)) hashes.set(this, computed);
    return computed;
  };
  hash[RULE] = rule;
  BlockHeader.prototype.hash = hash;
}
