import {
  decodeQbftSigningRecord,
  encodeQbftSigningRecord,
  type QbftEffect,
  type QbftEvent,
  type QbftStepResult,
  qbftDropIsFault,
  qbftStatus,
} from "../core/index.ts";
import type { SimNode, SimStoredBlock } from "./SimNode.ts";
import type { SimRange } from "./SimTimings.ts";
import type { SimWorld } from "./SimWorld.ts";
import { createToyQbftBlock } from "./toyQbftBlock.ts";

const encoder = new TextEncoder();

function draw(world: SimWorld, range: SimRange): number {
  return world.random.int(range[0], range[1]);
}

/** Runs a core call; a throw is a checker failure (a core must never crash), not a sim crash. */
function guarded(world: SimWorld, node: SimNode, call: () => QbftStepResult): void {
  let result: QbftStepResult;
  try {
    result = call();
  } catch (error) {
    world.checkers.crashed(node, error, world.now);
    return;
  }
  node.state = result.state;
  execute(world, node, result.effects);
}

/**
 * (Re)starts a node's core from its storage: the chain head and the last persisted signing
 * record (none after a wipe). Events scheduled for its earlier life are void from here.
 *
 * @example
 * ```ts
 * bootNode(world, node);
 * ```
 */
export function bootNode(world: SimWorld, node: SimNode): void {
  node.incarnation++;
  node.liveTimer = 0;
  node.syncPending = false;
  node.syncTarget = 0n;
  node.armedCrash = undefined;
  node.announced.clear();
  world.schedule(draw(world, [1, world.timings.statusEveryMs]), {
    kind: "status",
    node: node.index,
    incarnation: node.incarnation,
  });
  world.note(() => `node ${node.index} starts at head ${node.head().height}`);
  guarded(world, node, () =>
    world.core.create(node.config, {
      head: node.head(),
      validators: world.validators,
      record: node.record === undefined ? undefined : decodeQbftSigningRecord(node.record),
    }),
  );
}

/**
 * Feeds one event to a running node's core and carries out the effects.
 *
 * @example
 * ```ts
 * stepNode(world, node, { type: "message", bytes });
 * ```
 */
export function stepNode(world: SimWorld, node: SimNode, event: QbftEvent): void {
  const state = node.state;
  if (state === undefined) return;
  guarded(world, node, () => world.core.step(state, event));
}

/**
 * Stops a node: its core and volatile driver state are gone; its storage stays, or is wiped.
 *
 * @example
 * ```ts
 * crashNode(world, node, false);
 * ```
 */
export function crashNode(world: SimWorld, node: SimNode, wipe: boolean): void {
  node.state = undefined;
  node.armedCrash = undefined;
  node.syncPending = false;
  if (wipe) node.wipe();
  world.stats.crashes++;
  world.note(() => `node ${node.index} crashes${wipe ? ", storage wiped" : ""}`);
}

/**
 * A sync exchange of a node that learnt it is behind (`behind`, or a peer's head): it takes
 * every block it lacks from the non-Byzantine peer with the longest chain that it can reach,
 * then feeds `newChainHead`. With no such peer it gives up: the next status heartbeat or
 * `behind` asks again.
 *
 * @example
 * ```ts
 * syncNode(world, node);
 * ```
 */
export function syncNode(world: SimWorld, node: SimNode): void {
  node.syncPending = false;
  if (!node.up || BigInt(node.chain.length) >= node.syncTarget - 1n) return;
  const { network, now } = world;
  let source: SimNode | undefined;
  for (const peer of world.nodes) {
    if (peer === node || !peer.up || peer.role === "byzantine") continue;
    if (
      !network.linked(peer.index, node.index, now) ||
      !network.linked(node.index, peer.index, now)
    )
      continue;
    if (peer.chain.length > (source?.chain.length ?? node.chain.length)) source = peer;
  }
  node.syncTarget = 0n;
  if (source === undefined) return;
  const from = node.chain.length;
  for (const stored of source.chain.slice(from)) {
    const copy: SimStoredBlock = { ...stored, importedAt: now };
    world.checkers.imported(node, copy, now);
    node.chain.push(copy);
    world.trace.bytes(copy.block.hash);
  }
  world.note(
    () => `node ${node.index} syncs ${from + 1}..${node.chain.length} from ${source.index}`,
  );
  stepNode(world, node, { type: "newChainHead", head: node.head(), validators: world.validators });
}

/**
 * A node's status heartbeat: it tells every peer its chain head, and schedules the next.
 *
 * @example
 * ```ts
 * sendStatus(world, node);
 * ```
 */
export function sendStatus(world: SimWorld, node: SimNode): void {
  world.schedule(world.timings.statusEveryMs, {
    kind: "status",
    node: node.index,
    incarnation: node.incarnation,
  });
  for (const peer of world.nodes) {
    if (peer !== node) world.announce(node.index, peer.index, node.chain.length);
  }
}

/**
 * One unprompted attack of a Byzantine node, aimed at where its core stands; the next one
 * is scheduled.
 *
 * @example
 * ```ts
 * attackFrom(world, node);
 * ```
 */
export function attackFrom(world: SimWorld, node: SimNode): void {
  const byzantine = node.byzantine;
  if (byzantine === undefined) return;
  world.schedule(byzantine.tactics.attackEveryMs, { kind: "attack", node: node.index });
  if (node.state === undefined) return;
  const { height, round } = qbftStatus(node.state);
  const view = { height, round, head: node.head(), validators: world.validators };
  for (const bytes of byzantine.attack(view)) {
    world.trace.bytes(bytes);
    for (const peer of world.nodes) if (peer !== node) world.send(node.index, peer.index, bytes);
  }
}

function execute(world: SimWorld, node: SimNode, effects: readonly QbftEffect[]): void {
  for (const effect of effects) {
    // A crash after a persist loses the rest of the step's effects.
    if (node.state === undefined) return;
    execute1(world, node, effect);
  }
}

function execute1(world: SimWorld, node: SimNode, effect: QbftEffect): void {
  const { now } = world;
  const local = (delay: number, event: QbftEvent) =>
    world.schedule(delay, {
      kind: "local",
      node: node.index,
      incarnation: node.incarnation,
      event,
    });
  switch (effect.type) {
    case "persist":
      if (node.role === "byzantine") return;
      node.record = encodeQbftSigningRecord(effect.record);
      if (node.armedCrash !== undefined) crashNode(world, node, node.armedCrash.wipe);
      return;
    case "broadcast":
      world.checkers.signed(node, effect.message, now);
      world.trace.bytes(effect.bytes);
      for (const peer of world.nodes) {
        if (peer === node) continue;
        const copies = node.byzantine?.outgoing(effect.message, effect.bytes) ?? [effect.bytes];
        for (const bytes of copies) world.send(node.index, peer.index, bytes);
      }
      return;
    case "buildBlock": {
      const fields = {
        height: effect.height,
        round: effect.round,
        proposer: node.address,
        parentHash: effect.parentHash,
      };
      const serial = node.builds++;
      const block =
        node.byzantine?.build(fields, serial) ??
        createToyQbftBlock({ ...fields, body: encoder.encode(`node ${node.index} #${serial}`) });
      if (node.byzantine === undefined) world.registry.built(block, true);
      const ready = Math.max(
        now + draw(world, world.timings.buildMs),
        node.headTime() + world.timings.blockPeriodMs,
      );
      local(ready - now, { type: "blockBuilt", height: effect.height, round: effect.round, block });
      return;
    }
    case "validateBlock": {
      const { block } = effect;
      const valid = world.registry.executes(block);
      local(draw(world, world.timings.validateMs), {
        type: "blockValidated",
        height: block.height,
        digest: block.digest,
        valid,
      });
      return;
    }
    case "commit": {
      const stored: SimStoredBlock = { block: effect.block, seals: effect.seals, importedAt: now };
      world.checkers.imported(node, stored, now);
      node.chain.push(stored);
      world.trace.bytes(effect.block.hash);
      world.note(
        () => `node ${node.index} commits ${effect.block.height} at round ${effect.block.round}`,
      );
      local(0, { type: "newChainHead", head: node.head(), validators: world.validators });
      return;
    }
    case "setRoundTimer": {
      const id = world.nextId();
      node.liveTimer = id;
      world.schedule(effect.delayMs, {
        kind: "timer",
        node: node.index,
        incarnation: node.incarnation,
        id,
        height: effect.height,
        round: effect.round,
      });
      return;
    }
    case "evidence":
      if (node.role !== "byzantine") world.stats.evidence++;
      world.checkers.blamed(
        node,
        effect.validator,
        effect.height,
        `${effect.messageType} evidence`,
        now,
      );
      return;
    case "dropped":
      world.stats.drops.set(effect.reason, (world.stats.drops.get(effect.reason) ?? 0) + 1);
      if (qbftDropIsFault[effect.reason] && effect.author !== undefined) {
        const height = node.head().height + 1n;
        world.checkers.blamed(
          node,
          effect.author,
          height,
          `a message dropped as ${effect.reason}`,
          now,
        );
      }
      if (effect.reason === "pastHeight" && effect.author !== undefined) {
        announceTo(world, node, effect.author);
      }
      return;
    case "behind":
      requestSync(world, node, effect.height);
      return;
  }
}

/** A node tells a lagging peer the same head again only after this long (it may be lost). */
const ANNOUNCE_AGAIN_MS = 1_000;

/**
 * A peer sent a message for a height this node has decided: it lags, so tell it this
 * node's head at once (at most once a second per peer and head) rather than at the next
 * status heartbeat; the peer then syncs the blocks. Without heads going round, a block that
 * only one honest validator saw committed (the others crashed before its commit quorum
 * reached them) would never reach the rest: the core's `behind` needs f + 1 validators ahead.
 */
function announceTo(world: SimWorld, node: SimNode, author: Uint8Array): void {
  const peer = world.nodes.find((other) => Buffer.from(other.address).equals(author));
  if (peer === undefined || peer === node) return;
  const height = node.chain.length;
  const last = node.announced.get(peer.index);
  if (last?.height === height && world.now - last.at < ANNOUNCE_AGAIN_MS) return;
  node.announced.set(peer.index, { height, at: world.now });
  world.announce(node.index, peer.index, height);
}

/**
 * The node learnt that blocks up to `height − 1` exist (the core's `behind`, or a peer's
 * head announcement): schedule a sync exchange unless one is pending.
 *
 * @example
 * ```ts
 * requestSync(world, node, 7n);
 * ```
 */
export function requestSync(world: SimWorld, node: SimNode, height: bigint): void {
  if (height > node.syncTarget) node.syncTarget = height;
  if (node.syncPending) return;
  node.syncPending = true;
  world.schedule(draw(world, world.timings.syncMs), {
    kind: "sync",
    node: node.index,
    incarnation: node.incarnation,
  });
}
