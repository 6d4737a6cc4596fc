import {
  createQbftConfig,
  createQbftState,
  type QbftBounds,
  type QbftConfig,
  type QbftEffect,
  type QbftEvent,
  type QbftHead,
  type QbftMessage,
  type QbftRoundTimeoutSettings,
  type QbftSigner,
  type QbftSigningRecord,
  type QbftState,
  qbftStatus,
  qbftStep,
  selectQbftProposer,
} from "../../../../nodes/consensus/core/index.ts";
import { compareBytes } from "../../../../nodes/consensus/core/qbftBytes.ts";
import {
  createToyQbftBlock,
  createToyQbftCrypto,
  type ToyQbftBlock,
  type ToyQbftCrypto,
  toyQbftBlockCodec,
} from "../../../../nodes/consensus/sim/index.ts";

/** An event waiting to reach a node: a network message (`from` set) or a local completion. */
export interface Delivery {
  readonly from: number | undefined;
  readonly to: number;
  readonly event: QbftEvent;
  /** The decoded form of a network message, as it was sent. */
  readonly message?: QbftMessage;
}

/** A network message in flight, as the delivery filter sees it. */
export interface InFlight extends Delivery {
  readonly from: number;
  readonly message: QbftMessage;
}

function inFlight(delivery: Delivery): InFlight | undefined {
  const { from, message } = delivery;
  return from === undefined || message === undefined ? undefined : { ...delivery, from, message };
}

/** One core and what its driver would keep. */
export interface TestNode {
  readonly index: number;
  readonly signer: QbftSigner;
  readonly config: QbftConfig;
  /** Undefined while crashed. */
  state: QbftState | undefined;
  /** The chain head this node imported last. */
  head: QbftHead;
  /** Every record it persisted, oldest first. */
  readonly records: QbftSigningRecord[];
  /** The live round timer. */
  timer: { readonly height: bigint; readonly round: number; readonly delayMs: number } | undefined;
  /** Blocks it committed, by height. */
  readonly chain: Map<bigint, ToyQbftBlock>;
  /** Every effect it produced, in order. */
  readonly effects: QbftEffect[];
  /** Blocks it built: each build differs (as a timestamp would make it), even for one round. */
  builds: number;
}

/** Options of {@link QbftTestNetwork}. */
export interface QbftTestNetworkOptions {
  readonly roundTimeout?: Partial<QbftRoundTimeoutSettings>;
  readonly bounds?: Partial<QbftBounds>;
  /** Nodes (by index) that follow without a signer. */
  readonly observers?: readonly number[];
}

const GENESIS: QbftHead = {
  height: 0n,
  hash: new Uint8Array(32),
  proposer: new Uint8Array(20),
};

/**
 * n cores wired by hand: every broadcast becomes a delivery to each other node, block
 * requests, validations and commits are answered by local deliveries, all in one FIFO queue
 * the test drains (`run`) or picks from (`deliver`). Timers fire only when the test says so.
 * A filter can drop network messages, `invalid` marks blocks that fail execution, and
 * `crashAt` crashes a node right after a `persist` (the rest of that step's effects are
 * lost), to be `restart`ed from its last record.
 *
 * @example
 * ```ts
 * const network = new QbftTestNetwork(4);
 * network.start();
 * network.run();
 * network.nodes[0]?.chain.get(1n); // the block committed at height 1
 * ```
 */
export class QbftTestNetwork {
  readonly toy: ToyQbftCrypto;
  readonly nodes: TestNode[];
  /** Validator addresses, ascending. */
  readonly validators: Uint8Array[];
  /** Deliveries waiting, in order. */
  queue: Delivery[] = [];
  /** Every message a node broadcast (including re-sends), in order. */
  readonly sent: {
    readonly from: number;
    readonly bytes: Uint8Array;
    readonly message: QbftMessage;
  }[] = [];
  /** Whether a network message is delivered (default: all are). */
  filter: (delivery: InFlight) => boolean = () => true;
  /**
   * Replaces a network message on its way (a Byzantine sender's second version): the bytes
   * to deliver instead, or undefined to deliver it as sent.
   */
  rewrite: (delivery: InFlight) => Uint8Array | undefined = () => undefined;
  /** Whether a block fails execution (default: none). */
  invalid: (block: ToyQbftBlock) => boolean = () => false;
  /** Whether a node that says `behind` syncs the missing blocks from a node that has them. */
  autoSync = false;
  /** Block requests above this height go unanswered, so a run comes to rest (default 1). */
  buildUpTo = 1n;
  /** Whether a node crashes right after making `record` durable (default: never). */
  crashAt: (node: TestNode, record: QbftSigningRecord) => boolean = () => false;

  constructor(count: number, options: QbftTestNetworkOptions = {}) {
    this.toy = createToyQbftCrypto();
    const signers = Array.from({ length: count }, (_, index) => this.toy.signer(`node-${index}`));
    this.validators = signers.map((signer) => signer.address).sort(compareBytes);
    this.nodes = signers.map((signer, index) => ({
      index,
      signer,
      config: createQbftConfig({
        signer: options.observers?.includes(index) ? undefined : signer,
        crypto: this.toy.crypto,
        codec: toyQbftBlockCodec,
        ...(options.roundTimeout === undefined ? {} : { roundTimeout: options.roundTimeout }),
        ...(options.bounds === undefined ? {} : { bounds: options.bounds }),
      }),
      state: undefined,
      head: GENESIS,
      records: [],
      timer: undefined,
      chain: new Map(),
      effects: [],
      builds: 0,
    }));
  }

  /** The node whose address is `address`. */
  nodeOf(address: Uint8Array): TestNode {
    const node = this.nodes.find(
      (candidate) => compareBytes(candidate.signer.address, address) === 0,
    );
    if (node === undefined) throw new Error("no such node");
    return node;
  }

  /** The node proposing `round` on top of `head` (the genesis head by default). */
  proposer(round: number, head: QbftHead = GENESIS): TestNode {
    return this.nodeOf(selectQbftProposer(this.validators, head.proposer, round));
  }

  /** Starts every core on the genesis head. */
  start(): void {
    for (const node of this.nodes) this.restart(node.index);
  }

  /** (Re)creates a node's core from its head and its last persisted record. */
  restart(index: number): void {
    const node = this.node(index);
    const { state, effects } = createQbftState(node.config, {
      head: node.head,
      validators: this.validators,
      record: node.records.at(-1),
    });
    node.state = state;
    this.execute(node, effects);
  }

  /** Crashes a node: its state and the deliveries queued for it are lost. */
  crash(index: number): void {
    this.node(index).state = undefined;
    this.queue = this.queue.filter((delivery) => delivery.to !== index);
  }

  /** Steps node `index` with `event` and carries out the effects. */
  step(index: number, event: QbftEvent): readonly QbftEffect[] {
    const node = this.node(index);
    if (node.state === undefined) return [];
    const { state, effects } = qbftStep(node.state, event);
    node.state = state;
    this.execute(node, effects);
    return effects;
  }

  /** Fires node `index`'s live round timer, if any. */
  fireTimer(index: number): readonly QbftEffect[] {
    const timer = this.node(index).timer;
    if (timer === undefined) return [];
    return this.step(index, { type: "roundTimeout", height: timer.height, round: timer.round });
  }

  /** Fires every live node's timer. */
  fireAllTimers(): void {
    for (const node of this.nodes) if (node.state !== undefined) this.fireTimer(node.index);
  }

  /** Delivers the queued item at `position` (dropped if the filter says so). */
  deliver(position = 0): void {
    const [delivery] = this.queue.splice(position, 1);
    if (delivery === undefined) return;
    const message = inFlight(delivery);
    if (message !== undefined && !this.filter(message)) return;
    const replaced = message === undefined ? undefined : this.rewrite(message);
    this.step(
      delivery.to,
      replaced === undefined ? delivery.event : { type: "message", bytes: replaced },
    );
  }

  /** Drains the queue (at most `limit` deliveries); returns how many were made. */
  run(limit = 100_000): number {
    let count = 0;
    while (this.queue.length > 0 && count < limit) {
      this.deliver(0);
      count++;
    }
    return count;
  }

  /**
   * Copies to node `index` the committed blocks it lacks below `height` from a node that
   * has them (as block sync would), and queues the `newChainHead`; false if no node has them.
   */
  sync(index: number, height: bigint): boolean {
    const node = this.node(index);
    const source = this.nodes.find((other) => other.chain.has(height - 1n));
    if (source === undefined || node.head.height >= height - 1n) return false;
    for (let at = node.head.height + 1n; at < height; at++) {
      node.chain.set(at, source.chain.get(at) as ToyQbftBlock);
    }
    const block = source.chain.get(height - 1n) as ToyQbftBlock;
    node.head = { height: block.height, hash: block.hash, proposer: block.proposer };
    this.queue.push({
      from: undefined,
      to: index,
      event: { type: "newChainHead", head: node.head, validators: this.validators },
    });
    return true;
  }

  /** Current height and round of node `index`. */
  status(index: number): ReturnType<typeof qbftStatus> {
    const state = this.node(index).state;
    if (state === undefined) throw new Error(`node ${index} is down`);
    return qbftStatus(state);
  }

  /** Effects of one type a node produced. */
  effectsOf<T extends QbftEffect["type"]>(
    index: number,
    type: T,
  ): Extract<QbftEffect, { type: T }>[] {
    return this.node(index).effects.filter(
      (effect): effect is Extract<QbftEffect, { type: T }> => effect.type === type,
    );
  }

  private node(index: number): TestNode {
    const node = this.nodes[index];
    if (node === undefined) throw new Error(`no node ${index}`);
    return node;
  }

  private execute(node: TestNode, effects: readonly QbftEffect[]): void {
    for (const effect of effects) {
      node.effects.push(effect);
      switch (effect.type) {
        case "persist":
          node.records.push(effect.record);
          if (this.crashAt(node, effect.record)) {
            this.crash(node.index);
            return;
          }
          break;
        case "broadcast":
          this.sent.push({ from: node.index, bytes: effect.bytes, message: effect.message });
          for (const other of this.nodes) {
            if (other.index === node.index) continue;
            this.queue.push({
              from: node.index,
              to: other.index,
              event: { type: "message", bytes: effect.bytes },
              message: effect.message,
            });
          }
          break;
        case "buildBlock": {
          if (effect.height > this.buildUpTo) break;
          const block = createToyQbftBlock({
            height: effect.height,
            round: effect.round,
            proposer: node.signer.address,
            parentHash: effect.parentHash,
            body: new TextEncoder().encode(
              `block ${effect.height} r${effect.round} by ${node.index} #${node.builds++}`,
            ),
          });
          this.queue.push({
            from: undefined,
            to: node.index,
            event: { type: "blockBuilt", height: effect.height, round: effect.round, block },
          });
          break;
        }
        case "validateBlock": {
          const block = effect.block as ToyQbftBlock;
          this.queue.push({
            from: undefined,
            to: node.index,
            event: {
              type: "blockValidated",
              height: block.height,
              digest: block.digest,
              valid: !this.invalid(block),
            },
          });
          break;
        }
        case "commit": {
          const block = effect.block as ToyQbftBlock;
          node.chain.set(block.height, block);
          node.head = { height: block.height, hash: block.hash, proposer: block.proposer };
          this.queue.push({
            from: undefined,
            to: node.index,
            event: { type: "newChainHead", head: node.head, validators: this.validators },
          });
          break;
        }
        case "behind":
          if (this.autoSync) this.sync(node.index, effect.height);
          break;
        case "setRoundTimer":
          node.timer = { height: effect.height, round: effect.round, delayMs: effect.delayMs };
          break;
        default:
          break;
      }
    }
  }
}
