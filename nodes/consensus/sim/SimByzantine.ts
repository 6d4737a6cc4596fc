import {
  decodeQbftMessage,
  encodeQbftMessage,
  type QbftCrypto,
  type QbftHead,
  type QbftMessage,
  type QbftSigner,
  qbftQuorum,
  selectQbftProposer,
} from "../core/index.ts";
import { qbftMessageMaker } from "./qbftMessageMaker.ts";
import type { SimBlockRegistry } from "./SimBlockRegistry.ts";
import type { SimByzantineTactics } from "./SimByzantineTactics.ts";
import type { SimRandom } from "./SimRandom.ts";
import {
  createToyQbftBlock,
  type ToyBlockFields,
  type ToyQbftBlock,
  toyQbftBlockCodec,
} from "./toyQbftBlock.ts";

/** A message this validator received, decoded: material for replays and forgeries. */
interface Observed {
  readonly bytes: Uint8Array;
  readonly message: QbftMessage;
  readonly author: Uint8Array;
}

/** Where the Byzantine validator's own core stands, for aiming its attacks. */
export interface SimByzantineView {
  readonly height: bigint;
  readonly round: number;
  readonly head: QbftHead;
  readonly validators: readonly Uint8Array[];
}

/** What a {@link SimByzantine} is made of. */
export interface SimByzantineOptions {
  /** Its own key: the only one it holds. */
  readonly signer: QbftSigner;
  readonly crypto: QbftCrypto;
  readonly tactics: SimByzantineTactics;
  readonly random: SimRandom;
  /** Where the blocks it builds are recorded, and its proposals. */
  readonly registry: SimBlockRegistry;
}

const HISTORY = 64;
const encoder = new TextEncoder();

/**
 * The misbehaviour of one Byzantine validator, layered over its honest core: its broadcasts
 * pass through {@link SimByzantine.outgoing} per recipient (equivocation, bad seals), its
 * block requests through {@link SimByzantine.build} (blocks that fail execution), and every
 * `attackEveryMs` the driver sends what {@link SimByzantine.attack} makes (bogus round
 * changes, forged proposals, replays). Forgeries put other validators' signatures, copied
 * from messages it received, on payloads they never signed.
 *
 * @example
 * ```ts
 * const byzantine = new SimByzantine({ signer, crypto, tactics, random, registry });
 * for (const bytes of byzantine.outgoing(message, encoded)) send(peer, bytes);
 * ```
 */
export class SimByzantine {
  readonly tactics: SimByzantineTactics;
  private readonly options: SimByzantineOptions;
  private readonly make: ReturnType<typeof qbftMessageMaker>;
  private readonly history: Observed[] = [];
  /** The twin of the last message sent, so that every recipient gets the same one. */
  private lastTwin:
    | { readonly source: Uint8Array; readonly twin: Uint8Array | undefined }
    | undefined;
  /** Digest of the twin proposal per `height/round`, for conflicting votes. */
  private readonly twinDigests = new Map<string, Uint8Array>();

  constructor(options: SimByzantineOptions) {
    this.options = options;
    this.tactics = options.tactics;
    this.make = qbftMessageMaker(options.crypto);
  }

  /** Remembers a message it received (the last 64 that decode). */
  observe(bytes: Uint8Array): void {
    const decoded = decodeQbftMessage(bytes, toyQbftBlockCodec, this.options.crypto);
    if (!decoded.ok) return;
    this.history.push({ bytes, message: decoded.message, author: decoded.author });
    if (this.history.length > HISTORY) this.history.shift();
  }

  /** What its core's broadcast becomes on the way to one peer: nothing, it, a twin, or both. */
  outgoing(message: QbftMessage, bytes: Uint8Array): Uint8Array[] {
    const { tactics, random } = this.options;
    if (tactics.silent) return [];
    if (random.chance(tactics.equivocate)) {
      const twin = this.twinOf(message, bytes);
      if (twin !== undefined) return random.chance(0.25) ? [bytes, twin] : [twin];
    }
    if (tactics.badSeals && message.type === "commit" && random.chance(0.5)) {
      const { height, round, digest } = message.signed.payload;
      const { signer, crypto } = this.options;
      const seal = signer.sign(crypto.keccak256(digest));
      return [this.make.commit(signer, height, round, digest, seal).bytes];
    }
    return [bytes];
  }

  /** The block it builds when its core asks: now and then one that fails execution. */
  build(fields: Omit<ToyBlockFields, "body">, serial: number): ToyQbftBlock {
    const { tactics, random, registry } = this.options;
    const executes = !(tactics.invalidBlocks && random.chance(0.5));
    const body = encoder.encode(`${executes ? "byzantine" : "invalid"} ${serial}`);
    const block = createToyQbftBlock({ ...fields, body });
    registry.built(block, executes);
    return block;
  }

  /** One unprompted attack, aimed at the height and round its core is at: bytes to send to all. */
  attack(view: SimByzantineView): Uint8Array[] {
    const { tactics, random } = this.options;
    if (tactics.silent) return [];
    const moves: ((view: SimByzantineView) => Uint8Array | undefined)[] = [];
    if (tactics.bogusRoundChanges) {
      moves.push(
        (v) => this.farAheadRoundChange(v),
        (v) => this.forgedCertificate(v),
        (v) => this.wrongCertificate(v),
        (v) => this.claimWithoutBlock(v),
      );
    }
    if (tactics.forgedProposals) {
      moves.push(
        (v) => this.proposalOutOfTurn(v),
        (v) => this.forgedJustification(v, true),
        (v) => this.forgedJustification(v, false),
      );
    }
    if (tactics.replays) moves.push(() => this.replay());
    if (moves.length === 0) return [];
    const bytes = random.pick(moves)(view);
    return bytes === undefined ? [] : [bytes];
  }

  private twinOf(message: QbftMessage, bytes: Uint8Array): Uint8Array | undefined {
    if (this.lastTwin?.source === bytes) return this.lastTwin.twin;
    const twin = this.makeTwin(message);
    this.lastTwin = { source: bytes, twin };
    return twin;
  }

  private makeTwin(message: QbftMessage): Uint8Array | undefined {
    const { signer, crypto, registry } = this.options;
    const { height, round } = message.signed.payload;
    switch (message.type) {
      case "proposal": {
        const block = toyQbftBlockCodec.decode(message.signed.payload.block.encoded);
        if (block === undefined) return undefined;
        const twin = createToyQbftBlock({ ...block, body: Uint8Array.of(...block.body, 0x21) });
        registry.built(twin, true);
        registry.proposed(twin.digest, signer.address);
        this.twinDigests.set(`${height}/${round}`, twin.digest);
        return this.make.proposal(signer, twin, message.roundChanges, message.prepares).bytes;
      }
      case "prepare":
      case "commit": {
        const digest =
          this.twinDigests.get(`${height}/${round}`) ??
          crypto.keccak256(message.signed.payload.digest);
        return message.type === "prepare"
          ? this.make.prepare(signer, height, round, digest).bytes
          : this.make.commit(signer, height, round, digest).bytes;
      }
      case "roundChange":
        // The conflicting claim: "prepared nothing" against a real certificate.
        return message.preparedBlock === undefined
          ? undefined
          : this.make.roundChange(signer, height, round).bytes;
    }
  }

  /** A signer that "signs" with a signature copied from another validator's message. */
  private copied(victim: Observed): QbftSigner {
    return { address: victim.author, sign: () => victim.message.signed.signature };
  }

  /** Other validators' messages it holds, one per author. */
  private victims(): Observed[] {
    const byAuthor = new Map<string, Observed>();
    const own = Buffer.from(this.options.signer.address).toString("hex");
    for (const observed of this.history) {
      const key = Buffer.from(observed.author).toString("hex");
      if (key !== own) byAuthor.set(key, observed);
    }
    return [...byAuthor.values()];
  }

  private fabricate(view: SimByzantineView, round: number): ToyQbftBlock {
    const { signer, registry, random } = this.options;
    const block = createToyQbftBlock({
      height: view.height,
      round,
      proposer: signer.address,
      parentHash: view.head.hash,
      body: encoder.encode(`forged ${random.next()}`),
    });
    registry.built(block, true);
    return block;
  }

  private farAheadRoundChange(view: SimByzantineView): Uint8Array {
    const round = view.round + this.options.random.int(2, 5_000);
    return this.make.roundChange(this.options.signer, view.height, round).bytes;
  }

  /** A prepared certificate whose prepares carry others' signatures copied onto them. */
  private forgedCertificate(view: SimByzantineView): Uint8Array {
    const { signer } = this.options;
    const block = this.seenBlock(view) ?? this.fabricate(view, view.round);
    const prepares = this.victims()
      .slice(0, qbftQuorum(view.validators.length) - 1)
      .map((victim) =>
        this.make.prepareSigned(this.copied(victim), view.height, block.round, block.digest),
      );
    prepares.push(this.make.prepareSigned(signer, view.height, block.round, block.digest));
    const round = Math.max(view.round, block.round) + 1;
    return this.make.roundChange(signer, view.height, round, { block, prepares }).bytes;
  }

  /** A real block "certified" by real prepares of other rounds or digests. */
  private wrongCertificate(view: SimByzantineView): Uint8Array {
    const { signer } = this.options;
    const block = this.seenBlock(view) ?? this.fabricate(view, view.round);
    const prepares = this.history.flatMap((observed) =>
      observed.message.type === "prepare" ? [observed.message.signed] : [],
    );
    const round = Math.max(view.round, block.round) + 1;
    return this.make.roundChange(signer, view.height, round, { block, prepares }).bytes;
  }

  /** A round change claiming a prepared block it does not carry. */
  private claimWithoutBlock(view: SimByzantineView): Uint8Array {
    const { signer, random } = this.options;
    const digest = this.options.crypto.keccak256(Uint8Array.of(random.next() & 0xff));
    const signed = this.make.roundChangeSigned(signer, view.height, view.round + 1, {
      round: view.round,
      digest,
    });
    return encodeQbftMessage({
      type: "roundChange",
      signed,
      preparedBlock: undefined,
      prepares: [],
    });
  }

  /** A proposal for the current round whether or not it is the proposer, unjustified. */
  private proposalOutOfTurn(view: SimByzantineView): Uint8Array {
    const block = this.fabricate(view, view.round);
    this.options.registry.proposed(block.digest, this.options.signer.address);
    return this.make.proposal(this.options.signer, block).bytes;
  }

  /**
   * A proposal for a later round it leads, justified by round changes that are forged
   * (others' signatures copied onto round changes for that round) or real but for other
   * rounds.
   */
  private forgedJustification(view: SimByzantineView, forged: boolean): Uint8Array | undefined {
    const { signer, random } = this.options;
    const n = view.validators.length;
    let round = view.round + 1 + random.int(0, 2);
    for (let i = 0; i < n; i++, round++) {
      const proposer = selectQbftProposer(view.validators, view.head.proposer, round);
      if (Buffer.from(proposer).equals(signer.address)) break;
    }
    const block = this.fabricate(view, round);
    const own = this.make.roundChangeSigned(signer, view.height, round);
    const others = forged
      ? this.victims().map((victim) =>
          this.make.roundChangeSigned(this.copied(victim), view.height, round),
        )
      : this.history.flatMap((observed) =>
          observed.message.type === "roundChange" ? [observed.message.signed] : [],
        );
    const roundChanges = [own, ...others].slice(0, Math.max(qbftQuorum(n), 1));
    this.options.registry.proposed(block.digest, signer.address);
    return this.make.proposal(signer, block, roundChanges).bytes;
  }

  private replay(): Uint8Array | undefined {
    return this.history.length === 0 ? undefined : this.options.random.pick(this.history).bytes;
  }

  /** A block proposed at the view's height that it received. */
  private seenBlock(view: SimByzantineView): ToyQbftBlock | undefined {
    for (let i = this.history.length - 1; i >= 0; i--) {
      const message = (this.history[i] as Observed).message;
      if (message.type === "proposal" && message.signed.payload.height === view.height) {
        return toyQbftBlockCodec.decode(message.signed.payload.block.encoded);
      }
    }
    return undefined;
  }
}
