import {
  type QbftCrypto,
  type QbftMessage,
  qbftQuorum,
  selectQbftProposer,
} from "../core/index.ts";
import type { SimBlockRegistry } from "./SimBlockRegistry.ts";
import { SIM_GENESIS, type SimNode, type SimStoredBlock } from "./SimNode.ts";
import type { SimViolation, SimViolationKind } from "./SimViolation.ts";

/** Violations recorded before a run is stopped. */
const MAX_VIOLATIONS = 20;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** What the checkers look at. */
export interface SimCheckersContext {
  readonly nodes: readonly SimNode[];
  /** The validator set, ascending. */
  readonly validators: readonly Uint8Array[];
  readonly crypto: QbftCrypto;
  readonly registry: SimBlockRegistry;
  /** The liveness bound: longest wait for a node's next block once faults healed. */
  readonly livenessBoundMs: number;
}

/**
 * The run's invariants, checked as things happen: every block a non-Byzantine node imports
 * (commit or sync) is checked for validity against that node's chain and for agreement with
 * every other node's block at its height; every message an honest validator signs is checked
 * against what it signed before at that height, round and type; evidence, and drops that
 * score a peer down, must blame a faulty validator; and, once faults healed, each non-Byzantine node must import its next block
 * within the liveness bound until it reaches the run's target height.
 *
 * @example
 * ```ts
 * checkers.imported(node, stored, now);
 * if (checkers.overdue(now) || checkers.violations.length > 0) stop();
 * ```
 */
export class SimCheckers {
  readonly violations: SimViolation[] = [];
  /** Virtual time each height was first imported by a non-Byzantine node (index = height − 1). */
  readonly firstImports: number[] = [];
  private readonly context: SimCheckersContext;
  private readonly canonical = new Map<bigint, string>();
  private readonly signatures = new Map<string, string>();
  private readonly byAddress = new Map<string, SimNode>();
  private readonly lastProgress: number[];
  /** The non-Byzantine nodes: the ones whose chains are checked. */
  private readonly honest: readonly SimNode[];
  private healed = false;
  /** The height every non-Byzantine node must reach (set at the heal). */
  target = 0;
  /** The run must stop: liveness failed, or violations piled up. */
  stopped = false;
  /** Longest a non-Byzantine node waited for its next block after the heal (below the target). */
  longestWaitMs = 0;

  constructor(context: SimCheckersContext) {
    this.context = context;
    for (const node of context.nodes) this.byAddress.set(hex(node.address), node);
    this.lastProgress = context.nodes.map(() => 0);
    this.honest = context.nodes.filter((node) => node.role !== "byzantine");
  }

  /** `node` is about to append `stored` to its chain (own commit or sync). */
  imported(node: SimNode, stored: SimStoredBlock, now: number): void {
    if (node.role === "byzantine") return;
    const { block } = stored;
    const fail = (detail: string) => this.fail("validity", now, node.index, block.height, detail);
    const parent = node.chain.at(-1)?.block;
    if (block.height !== BigInt(node.chain.length + 1)) {
      fail(`imported at height ${block.height} on a chain of ${node.chain.length} blocks`);
    }
    if (hex(block.parentHash) !== hex(parent?.hash ?? SIM_GENESIS.hash)) {
      fail("its parent is not the node's previous block");
    }
    const sealError = this.sealError(block.digest, stored.seals);
    if (sealError !== undefined) fail(sealError);
    const previousProposer = parent?.proposer ?? SIM_GENESIS.proposer;
    const roundProposer = selectQbftProposer(
      this.context.validators,
      previousProposer,
      block.round,
    );
    if (!this.context.registry.wasProposedBy(block.digest, roundProposer)) {
      fail(`not proposed by the proposer of round ${block.round}`);
    }
    if (!this.builtByAProposer(block.proposer, previousProposer, block.round)) {
      fail("its proposer field names no proposer of its round or an earlier one");
    }
    if (!this.context.registry.executes(block))
      fail("it was not built by a validator, or fails execution");
    const key = hex(block.hash);
    const agreed = this.canonical.get(block.height);
    if (agreed === undefined) {
      this.canonical.set(block.height, key);
      this.firstImports[Number(block.height) - 1] = now;
    } else if (agreed !== key) {
      this.fail("agreement", now, node.index, block.height, `block ${key} against ${agreed}`);
    }
    if (this.healed) {
      const waited = now - (this.lastProgress[node.index] as number);
      if (node.chain.length < this.target && waited > this.longestWaitMs)
        this.longestWaitMs = waited;
      this.lastProgress[node.index] = now;
    }
  }

  /** `node` signed and sends `message` (a re-send included). */
  signed(node: SimNode, message: QbftMessage, now: number): void {
    const { payload, signingHash } = message.signed;
    if (payload.type === "proposal")
      this.context.registry.proposed(payload.block.digest, node.address);
    if (node.role !== "honest") return;
    const key = `${node.index}/${payload.height}/${payload.round}/${payload.type}`;
    const value = hex(signingHash);
    const before = this.signatures.get(key);
    if (before === undefined) this.signatures.set(key, value);
    else if (before !== value) {
      this.fail(
        "signing",
        now,
        node.index,
        payload.height,
        `two ${payload.type}s at round ${payload.round}`,
      );
    }
  }

  /**
   * `reporter` blamed `validator`: evidence against it, or a message of its dropped for a
   * reason that scores the peer down (`what` says which).
   */
  blamed(
    reporter: SimNode,
    validator: Uint8Array,
    height: bigint,
    what: string,
    now: number,
  ): void {
    if (reporter.role === "byzantine") return;
    const accused = this.byAddress.get(hex(validator));
    if (accused?.role === "honest") {
      this.fail("accusation", now, accused.index, height, `${what} by node ${reporter.index}`);
    }
  }

  /** A core threw. */
  crashed(node: SimNode, error: unknown, now: number): void {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.fail("crash", now, node.index, node.head().height + 1n, detail);
  }

  /** Faults healed at `now`: from here on, every non-Byzantine node must reach `heights`. */
  heal(now: number, heights: number): void {
    this.healed = true;
    const top = Math.max(0, ...this.honest.map((node) => node.chain.length));
    this.target = Math.max(heights, top + 2);
    this.lastProgress.fill(now);
  }

  /** Records a liveness failure when a node waited longer than the bound; true if so. */
  overdue(now: number): boolean {
    if (!this.healed) return false;
    for (const node of this.honest) {
      const since = this.lastProgress[node.index] as number;
      if (node.chain.length < this.target && now > since + this.context.livenessBoundMs) {
        const detail = `no block for ${now - since} ms after the heal (bound ${this.context.livenessBoundMs} ms)`;
        this.fail("liveness", now, node.index, BigInt(node.chain.length + 1), detail);
        return true;
      }
    }
    return false;
  }

  /** Whether every non-Byzantine node reached the target after the heal. */
  done(): boolean {
    return this.healed && this.honest.every((node) => node.chain.length >= this.target);
  }

  /**
   * Records a violation. A safety violation lets the run go on (more may follow, of other
   * kinds); a liveness failure, or too many violations, stops it.
   */
  fail(kind: SimViolationKind, time: number, node: number, height: bigint, detail: string): void {
    this.violations.push({ kind, time, node, height, detail });
    if (kind === "liveness" || kind === "runaway" || this.violations.length >= MAX_VIOLATIONS) {
      this.stopped = true;
    }
  }

  private sealError(digest: Uint8Array, seals: readonly Uint8Array[]): string | undefined {
    const sealers = new Set<string>();
    for (const seal of seals) {
      const sealer = this.context.crypto.recoverAddress(digest, seal);
      const key = sealer === undefined ? undefined : hex(sealer);
      if (key === undefined || !this.byAddress.has(key))
        return "a commit seal is not a validator's";
      if (sealers.has(key)) return "two commit seals of one validator";
      sealers.add(key);
    }
    const quorum = qbftQuorum(this.context.validators.length);
    return sealers.size < quorum ? `${sealers.size} commit seals, quorum ${quorum}` : undefined;
  }

  private builtByAProposer(proposer: Uint8Array, previous: Uint8Array, round: number): boolean {
    const { validators } = this.context;
    for (let r = 0; r <= Math.min(round, validators.length - 1); r++) {
      if (hex(selectQbftProposer(validators, previous, r)) === hex(proposer)) return true;
    }
    return false;
  }
}
