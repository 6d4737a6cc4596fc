import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BlockImporter,
  type BlockSource,
  createBlockSync,
  type SyncPeer,
} from "../../../nodes/sync/index.ts";
import { CustosError } from "../../../src/errors/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";

/** A block in these tests: its number, and whether its seals verify. */
const encode = (number: bigint, valid = true) =>
  new TextEncoder().encode(`${valid ? "ok" : "bad"}:${number}`);

function decode(bytes: Uint8Array): { number: bigint; valid: boolean } {
  const [tag, number] = new TextDecoder().decode(bytes).split(":");
  return { number: BigInt(number as string), valid: tag === "ok" };
}

/** A chain that accepts only the next block, and only a valid one. */
class TestImporter implements BlockImporter {
  head = 0n;
  readonly imported: bigint[] = [];
  failWith: Error | undefined;

  /** The head as of each flush: what was made durable, batch by batch. */
  readonly flushedAt: bigint[] = [];

  headNumber(): bigint {
    return this.head;
  }

  async flush(): Promise<void> {
    this.flushedAt.push(this.head);
  }

  async importBlock(encoded: Uint8Array): Promise<void> {
    if (this.failWith !== undefined) throw this.failWith;
    const block = decode(encoded);
    if (!block.valid || block.number !== this.head + 1n) {
      throw new CustosError("QBFT_SEAL_INVALID", "seals do not verify");
    }
    this.head = block.number;
    this.imported.push(block.number);
  }
}

interface TestPeer extends SyncPeer {
  /** Serves a bad block at this number. */
  readonly liesAt?: bigint | undefined;
  /** Every request fails. */
  readonly broken?: boolean;
}

class TestSource implements BlockSource {
  readonly requests: { peerId: string; from: bigint; count: number }[] = [];
  readonly penalised: string[] = [];
  readonly list: TestPeer[];

  constructor(list: TestPeer[]) {
    this.list = list;
  }

  peers(): readonly SyncPeer[] {
    return this.list;
  }

  async requestBlocks(peerId: string, from: bigint, count: number): Promise<Uint8Array[]> {
    this.requests.push({ peerId, from, count });
    const peer = this.list.find((p) => p.peerId === peerId) as TestPeer;
    if (peer.broken === true) throw new CustosError("P2P_TIMEOUT", "no answer");
    const blocks: Uint8Array[] = [];
    for (let n = from; n < from + BigInt(count) && n <= peer.head; n++) {
      blocks.push(encode(n, n !== peer.liesAt));
    }
    return blocks;
  }

  penalise(peerId: string): void {
    this.penalised.push(peerId);
  }
}

const signal = new AbortController().signal;

describe("createBlockSync", () => {
  it("imports every block up to the target in batches from the peer with the highest head", async () => {
    const importer = new TestImporter();
    const source = new TestSource([
      { peerId: "a", head: 40n },
      { peerId: "b", head: 100n },
    ]);
    const sync = createBlockSync({ source, importer, batchSize: 32 });
    await sync.syncTo(70n, signal);
    expect(importer.imported).toEqual(Array.from({ length: 70 }, (_, i) => BigInt(i + 1)));
    expect(source.requests).toEqual([
      { peerId: "b", from: 1n, count: 32 },
      { peerId: "b", from: 33n, count: 32 },
      { peerId: "b", from: 65n, count: 6 },
    ]);
    expect(sync.status()).toEqual({ syncing: false, target: undefined, imported: 70 });
    // One flush per batch (deferred durability), and the last covers the head.
    expect(importer.flushedAt).toEqual([32n, 64n, 70n, 70n]);
  });

  it("asks for the next batch while the current one is imported", async () => {
    const importer = new TestImporter();
    const source = new TestSource([{ peerId: "a", head: 100n }]);
    const asked: number[] = [];
    const original = importer.importBlock.bind(importer);
    importer.importBlock = async (encoded) => {
      asked.push(source.requests.length);
      await original(encoded);
    };
    await createBlockSync({ source, importer, batchSize: 10 }).syncTo(30n, signal);
    // Block 1 is imported once batch 2 is on its way, block 11 once batch 3 is; block 21
    // belongs to the last batch: nothing more is asked.
    expect([asked[0], asked[10], asked[20]]).toEqual([2, 3, 3]);
    expect(importer.head).toBe(30n);
  });

  it("does nothing when the head is already there", async () => {
    const importer = new TestImporter();
    importer.head = 9n;
    const source = new TestSource([{ peerId: "a", head: 20n }]);
    await createBlockSync({ source, importer }).syncTo(9n, signal);
    expect(source.requests).toEqual([]);
  });

  it("penalises a peer serving a block that does not verify and finishes from another", async () => {
    const importer = new TestImporter();
    const source = new TestSource([
      { peerId: "liar", head: 50n, liesAt: 10n },
      { peerId: "honest", head: 30n },
    ]);
    await createBlockSync({ source, importer, batchSize: 16 }).syncTo(30n, signal);
    expect(importer.head).toBe(30n);
    expect(source.penalised).toEqual(["liar"]);
    expect(source.requests.filter((r) => r.peerId === "honest")[0]?.from).toBe(10n);
  });

  it("passes over a peer whose requests fail, without penalising it", async () => {
    const importer = new TestImporter();
    const source = new TestSource([
      { peerId: "a", head: 50n, broken: true },
      { peerId: "b", head: 20n },
    ]);
    await createBlockSync({ source, importer }).syncTo(20n, signal);
    expect(importer.head).toBe(20n);
    expect(source.penalised).toEqual([]);
  });

  it("fails typed when no peer (left) has the next block, naming what it wanted", async () => {
    const importer = new TestImporter();
    const source = new TestSource([
      { peerId: "a", head: 5n },
      { peerId: "b", head: 50n, liesAt: 7n },
    ]);
    const error = await expectCustosError(
      createBlockSync({ source, importer }).syncTo(20n, signal),
      "SYNC_NO_PEER",
    );
    expect(importer.head).toBe(6n);
    expect(error.details).toMatchObject({ wanted: "7", target: "20", excluded: ["b"] });
  });

  it("stops when its signal aborts, and keeps what it imported", async () => {
    const importer = new TestImporter();
    const controller = new AbortController();
    const source = new TestSource([{ peerId: "a", head: 100n }]);
    const original = importer.importBlock.bind(importer);
    importer.importBlock = async (encoded) => {
      await original(encoded);
      if (importer.head === 5n) controller.abort();
    };
    await expectCustosError(
      createBlockSync({ source, importer, batchSize: 10 }).syncTo(100n, controller.signal),
      "NODE_ABORTED",
    );
    expect(importer.head).toBe(5n);
  });

  it("stops on the node's own import failure", async () => {
    const importer = new TestImporter();
    importer.failWith = new CustosError("CHAIN_DB_COMMIT_FAILED", "disk full");
    const source = new TestSource([{ peerId: "a", head: 10n }]);
    await expectCustosError(
      createBlockSync({ source, importer }).syncTo(10n, signal),
      "CHAIN_DB_COMMIT_FAILED",
    );
    expect(source.penalised).toEqual([]);
  });

  it("reaches the target whenever one honest peer has it (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            head: fc.bigInt({ min: 0n, max: 60n }),
            liesAt: fc.option(fc.bigInt({ min: 1n, max: 60n }), { nil: undefined }),
            broken: fc.boolean(),
          }),
          { maxLength: 5 },
        ),
        fc.bigInt({ min: 1n, max: 60n }),
        fc.integer({ min: 1, max: 20 }),
        async (others, target, batchSize) => {
          const importer = new TestImporter();
          const peers: TestPeer[] = [
            ...others.map((p, i) => ({ peerId: `p${i}`, ...p })),
            { peerId: "honest", head: target },
          ];
          await createBlockSync({ source: new TestSource(peers), importer, batchSize }).syncTo(
            target,
            signal,
          );
          expect(importer.head).toBe(target);
        },
      ),
    );
  });

  it("refuses a batch size that is not a positive integer", () => {
    const source = new TestSource([]);
    expectCustosError(
      () => createBlockSync({ source, importer: new TestImporter(), batchSize: 0 }),
      "INVALID_ARGUMENT",
    );
  });
});
