import { DriverLoop } from "./DriverLoop.ts";
import type { QbftDriver } from "./QbftDriver.ts";
import {
  type QbftDriverOptions,
  type QbftDriverPorts,
  resolveQbftDriverOptions,
} from "./QbftDriverOptions.ts";

/**
 * The driver of one node's QBFT core (DESIGN §5: the core is a pure reducer over events, the
 * driver owns one queue, adapters do I/O). Everything that happens — a message from a peer,
 * a round timer, a built or validated block, a commit's or a sync's new chain head — is
 * queued, and the queue feeds the core one event at a time; nothing else calls the core.
 * The effects of each step run in order (see `EffectRunner`): a signing record is durable
 * before anything it names is sent.
 *
 * Block period: round 0 of every height waits until the parent's timestamp + the block
 * period — the proposer builds only then, and every validator's round-0 timer is lengthened
 * by the same wait ({@link blockPeriodWaitMs}), so a 1 s period with a 2 s base timeout
 * commits a block per second without spurious round changes.
 *
 * @throws CustosError `CONSENSUS_INPUT_INVALID` when a setting is not a positive integer.
 * @example
 * ```ts
 * const driver = createQbftDriver(
 *   { config: createQbftConfig({ signer, crypto, codec }), blockPeriodSeconds: 1 },
 *   { chain, network, sync, store: createFileSigningRecordStore(path), timers: systemConsensusTimers, logger },
 * );
 * await driver.start();
 * driver.status().height;
 * await driver.stop();
 * ```
 */
export function createQbftDriver(options: QbftDriverOptions, ports: QbftDriverPorts): QbftDriver {
  return new DriverLoop(resolveQbftDriverOptions(options, ports));
}
