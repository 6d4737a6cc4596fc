import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RLP } from "@ethereumjs/rlp";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { QbftSigningRecord } from "../../../../nodes/consensus/core/index.ts";
import {
  createFileSigningRecordStore,
  encodeSigningRecordFile,
  SIGNING_RECORD_FILE,
} from "../../../../nodes/consensus/driver/index.ts";
import { expectCustosError } from "../../../expectCustosError.ts";

const digest = fc.uint8Array({ minLength: 32, maxLength: 32 });
const item = fc.uint8Array({ maxLength: 40 }).map((bytes) => RLP.encode([bytes]));

const record: fc.Arbitrary<QbftSigningRecord> = fc.record({
  height: fc.bigInt({ min: 1n, max: (1n << 63n) - 1n }),
  round: fc.integer({ min: 0, max: 0x7fffffff }),
  proposal: fc.option(digest, { nil: undefined }),
  prepare: fc.option(digest, { nil: undefined }),
  commit: fc.option(digest, { nil: undefined }),
  roundChange: fc.option(
    fc.record({
      prepared: fc.option(fc.record({ round: fc.integer({ min: 0, max: 1000 }), digest }), {
        nil: undefined,
      }),
    }),
    { nil: undefined },
  ),
  certificate: fc.option(
    fc.record({
      round: fc.integer({ min: 0, max: 1000 }),
      block: item,
      prepares: fc.array(item, { maxLength: 5 }),
    }),
    { nil: undefined },
  ),
});

const sample: QbftSigningRecord = {
  height: 42n,
  round: 3,
  proposal: undefined,
  prepare: new Uint8Array(32).fill(7),
  commit: new Uint8Array(32).fill(9),
  roundChange: { prepared: { round: 2, digest: new Uint8Array(32).fill(1) } },
  certificate: undefined,
};

describe("createFileSigningRecordStore", () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "custos-record-"));
    path = join(dir, SIGNING_RECORD_FILE);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("has no record before the first save", async () => {
    expect(await createFileSigningRecordStore(path).load()).toBeUndefined();
  });

  it("gives back exactly the last record saved", async () => {
    await fc.assert(
      fc.asyncProperty(record, record, async (first, second) => {
        const store = createFileSigningRecordStore(path);
        await store.save(first);
        expect(await store.load()).toEqual(first);
        await store.save(second);
        expect(await createFileSigningRecordStore(path).load()).toEqual(second);
      }),
      { seed: 20261206, numRuns: 60 },
    );
  });

  it("writes saves in call order when they overlap", async () => {
    const store = createFileSigningRecordStore(path);
    const records = Array.from({ length: 12 }, (_, round) => ({ ...sample, round }));
    await Promise.all(records.map((each) => store.save(each)));
    expect(await store.load()).toEqual(records.at(-1));
  });

  it("keeps the previous record when a crash tore the temporary file", async () => {
    const store = createFileSigningRecordStore(path);
    await store.save(sample);
    const next = encodeSigningRecordFile({ ...sample, round: 4 });
    await writeFile(`${path}.tmp`, next.subarray(0, next.length >> 1));
    expect(await store.load()).toEqual(sample);
    await store.save({ ...sample, round: 5 });
    expect(await store.load()).toEqual({ ...sample, round: 5 });
  });

  it("refuses a file with any bit flipped, cut short or lengthened", async () => {
    const store = createFileSigningRecordStore(path);
    await store.save(sample);
    const good = new Uint8Array(await readFile(path));
    const damage = fc.oneof(
      fc.nat({ max: good.length * 8 - 1 }).map((bit) => {
        const bytes = good.slice();
        bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        return bytes;
      }),
      fc.nat({ max: good.length - 1 }).map((length) => good.slice(0, length)),
      fc.uint8Array({ minLength: 1, maxLength: 8 }).map((tail) => Buffer.concat([good, tail])),
    );
    await fc.assert(
      fc.asyncProperty(damage, async (bytes) => {
        await writeFile(path, bytes);
        const error = await expectCustosError(store.load(), "CONSENSUS_RECORD_CORRUPT");
        expect(error.details).toMatchObject({ path });
      }),
      { seed: 20261206, numRuns: 200 },
    );
  });

  it("refuses a file of another format version", async () => {
    const bytes = encodeSigningRecordFile(sample);
    bytes[8] = 2;
    await writeFile(path, bytes);
    await expectCustosError(createFileSigningRecordStore(path).load(), "CONSENSUS_RECORD_CORRUPT");
  });

  it("refuses a whole, checksummed file whose record does not decode", async () => {
    // The file layout: "CUSTOSQR", version 1, length (4 bytes), record, SHA-256 of the rest.
    const payload = RLP.encode([1, 5]);
    const head = Buffer.alloc(13);
    head.write("CUSTOSQR", "ascii");
    head[8] = 1;
    head.writeUInt32BE(payload.length, 9);
    const body = Buffer.concat([head, payload]);
    await writeFile(path, Buffer.concat([body, createHash("sha256").update(body).digest()]));
    const error = await expectCustosError(
      createFileSigningRecordStore(path).load(),
      "CONSENSUS_RECORD_CORRUPT",
    );
    expect(error.details).toMatchObject({ reason: "the record does not decode" });
  });

  it("reports a record it cannot read or write", async () => {
    const missingDir = createFileSigningRecordStore(join(dir, "absent", SIGNING_RECORD_FILE));
    const saveError = await expectCustosError(
      missingDir.save(sample),
      "CONSENSUS_RECORD_STORE_FAILED",
    );
    expect(saveError.details).toMatchObject({ operation: "save", code: "ENOENT" });
    const directory = createFileSigningRecordStore(dir);
    const loadError = await expectCustosError(directory.load(), "CONSENSUS_RECORD_STORE_FAILED");
    expect(loadError.details).toMatchObject({ operation: "load", code: "EISDIR" });
  });
});
