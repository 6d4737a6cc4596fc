import type {
  ConsentEventRange,
  ConsentEventSource,
  ConsentIndexSyncEvent,
  ConsentRegistryEventLike,
  SyncTimers,
} from "../../src/consentIndex/index.ts";

/** A deterministic subject pseudonym (bytes32 hex) for a small number. */
export const subjectOf = (n: number): `0x${string}` =>
  `0x${n.toString(16).padStart(2, "0").repeat(32)}`;

export interface Terms {
  readonly purposes: number;
  readonly categories: number;
  readonly validFrom: number;
  readonly validUntil: number;
}

/** An in-memory chain of ConsentRegistry events with a controllable head and failures. */
export function fakeChain(scope = "31337:0xregistry") {
  const events: ConsentRegistryEventLike[] = [];
  const versions = new Map<string, number>();
  let head = 0;
  const reads: ConsentEventRange[] = [];
  const listeners = new Set<(block: number) => void>();
  const failures = { head: 0, events: 0, eventsAfter: 0 };

  function push(block: number, name: string, args: Record<string, unknown>) {
    const logIndex = events.filter((e) => e.blockNumber === block).length;
    events.push({ name, args, blockNumber: block, logIndex });
    head = Math.max(head, block);
  }
  function bump(subject: string): number {
    const version = (versions.get(subject) ?? 0) + 1;
    versions.set(subject, version);
    return version;
  }

  const source: ConsentEventSource = {
    async scope() {
      return scope;
    },
    async headBlock() {
      if (failures.head > 0) {
        failures.head--;
        throw new Error("head unavailable");
      }
      return head;
    },
    async *events(range) {
      reads.push({ fromBlock: range.fromBlock, toBlock: range.toBlock });
      const fail = failures.events > 0;
      if (fail) failures.events--;
      let yielded = 0;
      for (const event of events) {
        if (event.blockNumber < range.fromBlock || event.blockNumber > range.toBlock) continue;
        if (fail && yielded >= failures.eventsAfter) throw new Error("getLogs failed");
        yielded++;
        yield event;
      }
      if (fail) throw new Error("getLogs failed");
    },
    onBlock(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  return {
    source,
    events,
    reads,
    failures,
    listeners,
    get head() {
      return head;
    },
    mine(blocks = 1) {
      head += blocks;
      for (const l of listeners) l(head);
    },
    grant(block: number, subject: string, terms: Terms, custodian = 1) {
      push(block, "ConsentGranted", {
        subject,
        custodian,
        actor: "0x0000000000000000000000000000000000000001",
        version: bump(subject),
        ...terms,
        documentHash: `0x${"d0".repeat(32)}`,
      });
    },
    update(block: number, subject: string, terms: Terms, custodian = 1) {
      push(block, "ConsentUpdated", {
        subject,
        custodian,
        actor: "0x0000000000000000000000000000000000000001",
        version: bump(subject),
        ...terms,
        documentHash: `0x${"d1".repeat(32)}`,
      });
    },
    revoke(block: number, subject: string, custodian = 1) {
      push(block, "ConsentRevoked", {
        subject,
        custodian,
        actor: "0x0000000000000000000000000000000000000001",
        version: bump(subject),
        documentHash: `0x${"d2".repeat(32)}`,
      });
    },
    delegate(block: number, subject: string) {
      push(block, "DelegateAdded", {
        subject,
        delegate: "0x0000000000000000000000000000000000000002",
        actor: "0x0000000000000000000000000000000000000001",
      });
    },
  };
}

/** Timers fired by hand: the sync's sleeps become inspectable and deterministic. */
export function manualTimers() {
  let nextId = 0;
  const pending = new Map<number, { callback: () => void; ms: number }>();
  const timers: SyncTimers = {
    setTimeout(callback, ms) {
      pending.set(++nextId, { callback, ms });
      return nextId;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
  };
  return {
    timers,
    pending,
    /** Delays of the pending timers. */
    delays: () => [...pending.values()].map((t) => t.ms),
    /** Fires the oldest pending timer. */
    fire() {
      const first = pending.entries().next();
      if (first.done) throw new Error("no pending timer");
      const [id, timer] = first.value;
      pending.delete(id);
      timer.callback();
    },
  };
}

/** Lets pending promise callbacks run until `condition` holds (bounded, no wall-clock waits). */
export async function until(condition: () => boolean, turns = 2_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error("condition not reached");
}

/** Records sync events. */
export function eventLog() {
  const events: ConsentIndexSyncEvent[] = [];
  return {
    events,
    onEvent: (event: ConsentIndexSyncEvent) => void events.push(event),
    ofType: <T extends ConsentIndexSyncEvent["type"]>(type: T) =>
      events.filter((e): e is Extract<ConsentIndexSyncEvent, { type: T }> => e.type === type),
  };
}
