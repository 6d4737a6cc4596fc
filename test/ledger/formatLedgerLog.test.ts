/**
 * `LedgerRpcProvider`'s log formatting against ethers' own (`JsonRpcProvider._wrapLog`, which
 * is ethers' `formatLog`), differentially: random JSON-RPC logs, then the same logs with any
 * field missing or replaced by junk (wrong lengths, numbers, null, mixed-case addresses with a
 * bad checksum, `index` beside or instead of `logIndex`). Both must give the same log, or
 * both throw `BAD_DATA` with the same message.
 */
import { getAddress, hexlify, isError, JsonRpcProvider, type LogParams, Network } from "ethers";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { LedgerRpcProvider } from "../../src/ledger/index.ts";

const network = Network.from(1);
const ethersProvider = new JsonRpcProvider("http://127.0.0.1:9", network, { staticNetwork: true });
const ledgerProvider = new LedgerRpcProvider("http://127.0.0.1:9", network, {
  staticNetwork: true,
});

afterAll(() => {
  ethersProvider.destroy();
  ledgerProvider.destroy();
});

/** The log, or the thrown error's code and message. */
function outcome(wrap: () => { toJSON(): unknown }): unknown {
  try {
    return { log: wrap().toJSON() };
  } catch (error) {
    return { code: isError(error, "BAD_DATA") ? error.code : "other", message: String(error) };
  }
}

const hex = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((b) => hexlify(b));
const quantity = fc.nat({ max: 2 ** 40 }).map((n) => `0x${n.toString(16)}`);
const address = fc.oneof(
  hex(20, 20),
  hex(20, 20).map((a) => getAddress(a)),
  hex(20, 20).map((a) => a.toUpperCase().replace("0X", "0x")),
  hex(20, 20).map((a) => a.slice(2)),
);

const validLog = fc.record({
  address,
  blockHash: hex(32, 32),
  blockNumber: fc.oneof(quantity, fc.nat({ max: 2 ** 40 })),
  data: hex(0, 96),
  logIndex: quantity,
  removed: fc.constantFrom(false, true, "true", "false", undefined, null),
  topics: fc.array(hex(32, 32), { maxLength: 4 }),
  transactionHash: hex(32, 32),
  transactionIndex: quantity,
});

const junk = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 8 }),
  hex(0, 40),
  hex(20, 20).map((a) => `0x${a.slice(2, 6).toUpperCase()}${a.slice(6)}`),
  fc.constantFrom("0x", "0xzz", "-0x1", "", "true", true, 1.5),
  fc.array(hex(31, 33), { maxLength: 2 }),
);

const damagedLog = fc
  .tuple(
    validLog,
    fc.constantFrom(
      "address",
      "blockHash",
      "blockNumber",
      "data",
      "logIndex",
      "index",
      "removed",
      "topics",
      "transactionHash",
      "transactionIndex",
    ),
    junk,
    fc.boolean(),
  )
  .map(([log, field, value, remove]) => {
    const damaged: Record<string, unknown> = { ...log };
    if (remove) delete damaged[field];
    else damaged[field] = value;
    return damaged;
  });

function expectSameAsEthers(log: unknown): void {
  const expected = outcome(() => ethersProvider._wrapLog(log as LogParams, network));
  expect(outcome(() => ledgerProvider._wrapLog(log, network))).toEqual(expected);
}

describe("LedgerRpcProvider log formatting", () => {
  it("formats valid logs exactly as ethers does", () => {
    fc.assert(fc.property(validLog, expectSameAsEthers), { numRuns: 500 });
  });

  it("refuses damaged logs with ethers' BAD_DATA naming the same field", () => {
    fc.assert(fc.property(damagedLog, expectSameAsEthers), { numRuns: 2_000 });
  });

  it("gives the log's provider and the same address every time, from a remembered checksum", () => {
    const log = {
      address: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
      blockHash: `0x${"ab".repeat(32)}`,
      blockNumber: "0x10",
      data: "0x",
      logIndex: "0x1",
      topics: [],
      transactionHash: `0x${"12".repeat(32)}`,
      transactionIndex: "0x0",
    };
    const first = ledgerProvider._wrapLog(log, network);
    const second = ledgerProvider._wrapLog(log, network);
    expect(first.provider).toBe(ledgerProvider);
    expect(second.address).toBe("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    expect(() =>
      ledgerProvider._wrapLog(
        { ...log, address: first.address.toLowerCase().replace("5f", "5F") },
        network,
      ),
    ).toThrow(/bad address checksum/);
  });

  it.each([
    ["null", null],
    ["a number", 7],
    ["an empty object", {}],
  ])("refuses %s as ethers does", (_, value) => {
    expectSameAsEthers(value);
  });
});
