import { createQbftConfig } from "../core/index.ts";
import { describeSimFaultPlan } from "./describeSimFaultPlan.ts";
import { SimBlockRegistry } from "./SimBlockRegistry.ts";
import { SimByzantine } from "./SimByzantine.ts";
import { SimCheckers } from "./SimCheckers.ts";
import { planSimFaults, type SimFaultPlan } from "./SimFaultPlan.ts";
import { SimNetwork } from "./SimNetwork.ts";
import { SimNode, type SimRole } from "./SimNode.ts";
import { resolveSimOptions, type SimOptions } from "./SimOptions.ts";
import { SimRandom } from "./SimRandom.ts";
import type { SimResult } from "./SimResult.ts";
import { type SimItem, SimWorld } from "./SimWorld.ts";
import {
  attackFrom,
  bootNode,
  crashNode,
  requestSync,
  sendStatus,
  stepNode,
  syncNode,
} from "./simDriver.ts";
import { simLivenessBoundMs } from "./simLivenessBoundMs.ts";
import { toyQbftBlockCodec } from "./toyQbftBlock.ts";
import { createToyQbftCrypto } from "./toyQbftCrypto.ts";

const KIND_CODES: Readonly<Record<SimItem["kind"], number>> = {
  message: 1,
  local: 2,
  timer: 3,
  crash: 4,
  restart: 5,
  sync: 6,
  attack: 7,
  heal: 8,
  announce: 9,
  status: 10,
};

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

function roleOf(plan: SimFaultPlan, index: number): SimRole {
  if (plan.byzantine.has(index)) return "byzantine";
  return plan.wiped.includes(index) ? "wiped" : "honest";
}

/** The node an item concerns, for the trace (-1 for none). */
function itemNode(item: SimItem): number {
  switch (item.kind) {
    case "message":
    case "announce":
      return item.to * 64 + item.from;
    case "crash":
      return item.crash.node;
    case "heal":
      return -1;
    default:
      return item.node;
  }
}

function handle(world: SimWorld, item: SimItem, heights: number): void {
  switch (item.kind) {
    case "message": {
      const node = world.nodes[item.to] as SimNode;
      if (!node.up || !world.network.linked(item.from, item.to, world.now)) return;
      world.trace.number(item.id);
      node.byzantine?.observe(item.bytes);
      stepNode(world, node, { type: "message", bytes: item.bytes });
      return;
    }
    case "announce": {
      const node = world.nodes[item.to] as SimNode;
      if (!node.up || !world.network.linked(item.from, item.to, world.now)) return;
      if (item.height > node.chain.length) requestSync(world, node, BigInt(item.height) + 1n);
      return;
    }
    case "local": {
      const node = world.nodes[item.node] as SimNode;
      if (node.incarnation === item.incarnation) stepNode(world, node, item.event);
      return;
    }
    case "timer": {
      const node = world.nodes[item.node] as SimNode;
      if (node.incarnation !== item.incarnation || node.liveTimer !== item.id) return;
      stepNode(world, node, { type: "roundTimeout", height: item.height, round: item.round });
      return;
    }
    case "crash": {
      const node = world.nodes[item.crash.node] as SimNode;
      if (!node.up) return;
      if (item.crash.afterPersist) node.armedCrash = { wipe: item.crash.wipe };
      else crashNode(world, node, item.crash.wipe);
      return;
    }
    case "restart": {
      const node = world.nodes[item.node] as SimNode;
      if (node.up) node.armedCrash = undefined;
      else bootNode(world, node);
      return;
    }
    case "sync": {
      const node = world.nodes[item.node] as SimNode;
      if (node.incarnation === item.incarnation) syncNode(world, node);
      return;
    }
    case "status": {
      const node = world.nodes[item.node] as SimNode;
      if (node.up && node.incarnation === item.incarnation) sendStatus(world, node);
      return;
    }
    case "attack":
      attackFrom(world, world.nodes[item.node] as SimNode);
      return;
    case "heal":
      world.note(() => "faults heal");
      world.checkers.heal(world.now, heights);
      for (const node of world.nodes) {
        if (node.up) node.armedCrash = undefined;
        else bootNode(world, node);
      }
      return;
  }
}

function schedulePlan(world: SimWorld, plan: SimFaultPlan): void {
  world.schedule(plan.healAt, { kind: "heal" });
  for (const crash of plan.crashes) {
    world.schedule(crash.at, { kind: "crash", crash });
    world.schedule(crash.restartAt, { kind: "restart", node: crash.node });
  }
  for (const [node, tactics] of plan.byzantine) {
    world.schedule(tactics.attackEveryMs, { kind: "attack", node });
  }
}

/**
 * One deterministic simulated run of n real QBFT cores: the seed draws the fault plan
 * (Byzantine validators, wiped storage, crashes with a crash point between `persist` and
 * send, partitions, cut links, dropped, duplicated and slow messages) and every delay; the
 * event loop runs on a virtual clock until every non-Byzantine node has reached the target
 * height after the faults healed, or liveness fails (a safety violation is recorded and the
 * run goes on, so that one run can show several kinds; it stops after 20).
 * Pure: no I/O, no wall clock; the same options give the same trace hash.
 *
 * @throws CustosError `INVALID_ARGUMENT` for options out of range.
 * @example
 * ```ts
 * const result = runQbftSimulation({ validators: 4, seed: 42, heights: 6 });
 * if (!result.ok) console.error(result.violations[0]);
 * ```
 */
export function runQbftSimulation(options: SimOptions): SimResult {
  const settings = resolveSimOptions(options);
  const { validators: count, timings } = settings;
  const root = new SimRandom(settings.seed);
  const drawn = planSimFaults(root.fork(), count, settings.budget);
  const plan = settings.plan ?? drawn;
  const networkRandom = root.fork();
  const localRandom = root.fork();
  const byzantineRandom = root.fork();
  const toy = createToyQbftCrypto();
  const signers = Array.from({ length: count }, (_, index) => toy.signer(`sim-validator-${index}`));
  const validators = signers
    .map((signer) => signer.address)
    .sort((a, b) => (hex(a) < hex(b) ? -1 : 1));
  const registry = new SimBlockRegistry();
  const nodes = signers.map((signer, index) => {
    const config = createQbftConfig({
      signer,
      crypto: toy.crypto,
      codec: toyQbftBlockCodec,
      roundTimeout: timings.roundTimeout,
    });
    const node = new SimNode(index, signer.address, roleOf(plan, index), config);
    const tactics = plan.byzantine.get(index);
    if (tactics !== undefined) {
      const random = byzantineRandom.fork();
      node.byzantine = new SimByzantine({ signer, crypto: toy.crypto, tactics, random, registry });
    }
    return node;
  });
  const checkers = new SimCheckers({
    nodes,
    validators,
    crypto: toy.crypto,
    registry,
    livenessBoundMs: simLivenessBoundMs(count, timings),
  });
  const world = new SimWorld({
    nodes,
    validators,
    network: new SimNetwork(plan, timings, networkRandom),
    checkers,
    registry,
    core: settings.core,
    timings,
    plan,
    random: localRandom,
    log: settings.log,
  });
  for (const line of describeSimFaultPlan(plan)) world.note(() => line);
  schedulePlan(world, plan);
  for (const node of nodes) bootNode(world, node);
  while (!checkers.stopped && !checkers.done()) {
    const next = world.queue.pop();
    if (next === undefined) {
      checkers.fail("liveness", world.now, -1, 0n, "nothing left to happen");
      break;
    }
    world.now = next.time;
    if (++world.stats.events > settings.maxEvents) {
      checkers.fail("runaway", world.now, -1, 0n, `more than ${settings.maxEvents} events`);
      break;
    }
    world.trace.number(next.time);
    world.trace.number(KIND_CODES[next.item.kind] * 8192 + itemNode(next.item) + 1);
    handle(world, next.item, settings.heights);
    checkers.overdue(world.now);
  }
  return summarise(world, settings.seed, settings.heights, plan);
}

function summarise(world: SimWorld, seed: number, heights: number, plan: SimFaultPlan): SimResult {
  const { checkers, stats } = world;
  const honest = world.nodes.filter((node) => node.role !== "byzantine");
  const imports = checkers.firstImports;
  const heightMs = imports.map(
    (time, index) => time - (index === 0 ? 0 : (imports[index - 1] ?? 0)),
  );
  let maxCommitRound = 0;
  for (const node of honest) {
    for (const { block } of node.chain) maxCommitRound = Math.max(maxCommitRound, block.round);
  }
  return {
    validators: world.nodes.length,
    seed,
    heights,
    ok: checkers.violations.length === 0,
    violations: checkers.violations,
    traceHash: world.trace.digest(),
    reached: Math.min(...honest.map((node) => node.chain.length)),
    target: checkers.target,
    virtualMs: world.now,
    heightMs,
    longestWaitMs: checkers.longestWaitMs,
    maxCommitRound,
    messages: stats.messages,
    events: stats.events,
    evidence: stats.evidence,
    drops: Object.fromEntries([...stats.drops].sort(([a], [b]) => (a < b ? -1 : 1))),
    faults: {
      healAt: plan.healAt,
      byzantine: [...plan.byzantine.keys()].sort((a, b) => a - b),
      wiped: plan.wiped,
      crashes: plan.crashes.length,
      partitions: plan.partitions.length,
      cuts: plan.cuts.length,
      dropRate: plan.dropRate,
      duplicateRate: plan.duplicateRate,
      slowRate: plan.slowRate,
    },
  };
}
