/**
 * The fast event decoders against ethers' ABI decoder, differentially: every event of the three
 * contracts with random arguments, then the same logs with random words in place of topics and
 * data (dirty high bits, addresses wider than 20 bytes, any non-zero bool), uppercase hex, and
 * missing or extra topics and bytes. decodeLedgerLog must give exactly what ethers' parseLog
 * gives (through toAbiStruct), or undefined where ethers refuses the log.
 */
import {
  type EventFragment,
  hexlify,
  type Interface,
  type Log,
  type ParamType,
  toBeHex,
  zeroPadValue,
} from "ethers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toAbiStruct } from "../../src/ledger/abiValues.ts";
import { ledgerContracts } from "../../src/ledger/index.ts";
import { decodeLedgerLog } from "../../src/ledger/LedgerEvent.ts";
import { staticEventDecodersOf } from "../../src/ledger/staticEventDecoders.ts";

/**
 * ethers' decoding: parseLog shaped by toAbiStruct, undefined where ethers refuses the log
 * (at parsing, or at reading a value whose error it deferred).
 */
function ethersDecoding(log: Log, iface: Interface) {
  try {
    const parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed === null) return undefined;
    return { name: parsed.name, args: toAbiStruct([...parsed.args], parsed.fragment.inputs) };
  } catch {
    return undefined;
  }
}

function fastDecoding(log: Log, iface: Interface) {
  const event = decodeLedgerLog(log, iface);
  return event === undefined ? undefined : { name: event.name, args: event.args };
}

const word = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => hexlify(bytes));

/** Random valid values of `param`, as ethers encodes them. */
function argumentOf(param: ParamType): fc.Arbitrary<unknown> {
  if (param.baseType === "array") {
    const child = param.arrayChildren as ParamType;
    return fc.array(argumentOf(child), { maxLength: 3 });
  }
  if (param.baseType === "tuple") return fc.tuple(...(param.components ?? []).map(argumentOf));
  const type = param.baseType;
  if (type === "address") {
    return fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => hexlify(b));
  }
  if (type === "bool") return fc.boolean();
  if (type === "string") return fc.string({ maxLength: 20 });
  if (type === "bytes") return fc.uint8Array({ maxLength: 40 }).map((b) => hexlify(b));
  const bytes = /^bytes(\d+)$/.exec(type);
  if (bytes !== null) {
    const size = Number(bytes[1]);
    return fc.uint8Array({ minLength: size, maxLength: size }).map((b) => hexlify(b));
  }
  const integer = /^(u?)int(\d*)$/.exec(type);
  if (integer === null) throw new Error(`no arbitrary for ${type}`);
  const bits = BigInt(integer[2] === "" ? 256 : Number(integer[2]));
  return integer[1] === "u"
    ? fc.bigInt({ min: 0n, max: (1n << bits) - 1n })
    : fc.bigInt({ min: -(1n << (bits - 1n)), max: (1n << (bits - 1n)) - 1n });
}

const contracts = [
  ledgerContracts.ConsentRegistry,
  ledgerContracts.AccessLedger,
  ledgerContracts.Consortium,
];
const events = contracts.flatMap((contract) => {
  const list: { iface: Interface; fragment: EventFragment }[] = [];
  contract.iface.forEachEvent((fragment) => list.push({ iface: contract.iface, fragment }));
  return list;
});

/** A log of `fragment` with random arguments, as a node returns it. */
const logOf = ({ iface, fragment }: (typeof events)[number]) =>
  fc.tuple(...fragment.inputs.map(argumentOf)).map((values) => {
    const encoded = iface.encodeEventLog(fragment, values);
    return {
      address: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      blockNumber: 7,
      blockHash: zeroPadValue("0x01", 32),
      transactionHash: zeroPadValue("0x02", 32),
      transactionIndex: 0,
      index: 3,
      removed: false,
      topics: encoded.topics,
      data: encoded.data,
    } as unknown as Log;
  });

/** The log with one of its words (topic or data) replaced, or its shape broken. */
const damaged = (log: Log) =>
  fc.oneof(
    fc.tuple(fc.nat(), word).map(([at, w]) => {
      const topics = [...log.topics];
      if (topics.length > 1) topics[1 + (at % (topics.length - 1))] = w;
      return { ...log, topics };
    }),
    fc.tuple(fc.nat(), word).map(([at, w]) => {
      const words = (log.data.length - 2) / 64;
      if (words === 0) return log;
      const i = at % words;
      const data = `${log.data.slice(0, 2 + 64 * i)}${w.slice(2)}${log.data.slice(2 + 64 * (i + 1))}`;
      return { ...log, data };
    }),
    fc.constant({ ...log, data: log.data.toUpperCase().replace("0X", "0x") }),
    fc.constant({ ...log, topics: log.topics.map((t) => t.toUpperCase().replace("0X", "0x")) }),
    fc.constant({ ...log, topics: log.topics.slice(0, -1) }),
    fc.constant({ ...log, topics: [...log.topics, toBeHex(1, 32)] }),
    fc.constant({ ...log, data: log.data.slice(0, -2) }),
    fc.constant({ ...log, data: `${log.data}00` }),
    fc.constant({ ...log, data: `${log.data}${"00".repeat(32)}` }),
  ) as fc.Arbitrary<Log>;

describe("staticEventDecodersOf", () => {
  it("covers ConsentRegistry's consent events", () => {
    const decoders = staticEventDecodersOf(ledgerContracts.ConsentRegistry.iface);
    const names = [...decoders.values()].map((entry) => entry.name);
    expect(names).toEqual(
      expect.arrayContaining(["ConsentGranted", "ConsentUpdated", "ConsentRevoked"]),
    );
  });

  it.each(events.map((e) => [e.fragment.name, e] as const))(
    "decodes %s as ethers does",
    (_, event) => {
      fc.assert(
        fc.property(logOf(event), (log) => {
          const fast = fastDecoding(log, event.iface);
          expect(fast).toEqual(ethersDecoding(log, event.iface));
          expect(fast?.name).toBe(event.fragment.name);
        }),
        { numRuns: 60 },
      );
    },
  );

  it.each(events.map((e) => [e.fragment.name, e] as const))(
    "decodes or refuses a damaged %s as ethers does",
    (_, event) => {
      fc.assert(
        fc.property(logOf(event).chain(damaged), (log) => {
          expect(fastDecoding(log, event.iface)).toEqual(ethersDecoding(log, event.iface));
        }),
        { numRuns: 60 },
      );
    },
  );
});
