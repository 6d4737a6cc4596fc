import { bytesToHex } from "@ethereumjs/util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeQbftExtraData,
  encodeQbftExtraData,
  QBFT_MAX_ROUND,
  type QbftExtraData,
} from "../../../../nodes/chain/index.ts";
import { encodeRlp, type RlpInput } from "../../../../nodes/db/index.ts";
import { isCustosError } from "../../../../src/errors/index.ts";
import { expectCustosError } from "../../../expectCustosError.ts";
import { headerRsExtraData, hex, javaConstant, javaHexStrings, vectorText } from "./besuVectors.ts";
import { CURVE_ORDER, extraDataArbitrary, word } from "./qbftArbitraries.ts";

const SEED = 20261206;

function addressOf(n: number): Uint8Array {
  const out = new Uint8Array(20);
  out[19] = n;
  return out;
}

function seal(r: bigint, s: bigint, recoveryId: number): Uint8Array {
  return Uint8Array.from([...word(r), ...word(s), recoveryId]);
}

/** A root list from raw items, so each field can be written wrong on purpose. */
function rawExtraData(items: {
  vanity?: RlpInput;
  validators?: RlpInput;
  vote?: RlpInput;
  round?: RlpInput;
  seals?: RlpInput;
  extra?: RlpInput[];
}): Uint8Array {
  return encodeRlp([
    items.vanity ?? new Uint8Array(32),
    items.validators ?? [addressOf(1)],
    items.vote ?? [],
    items.round ?? new Uint8Array(0),
    items.seals ?? [],
    ...(items.extra ?? []),
  ]);
}

function expectInvalid(bytes: Uint8Array, field: string): void {
  const error = expectCustosError(() => decodeQbftExtraData(bytes), "QBFT_EXTRA_DATA_INVALID");
  expect(error.details.field).toBe(field);
}

describe("decodeQbftExtraData: Besu's known answers", () => {
  it("reads QbftExtraDataCodecTest's RAW_HEX_ENCODING_STRING and writes it back byte for byte", () => {
    const raw = hex(javaConstant("besu/QbftExtraDataCodecTest.java", "RAW_HEX_ENCODING_STRING"));
    const decoded = decodeQbftExtraData(raw);
    // The test's object: vanity 0x0102…20, validators 0x…01 and 0x…02, an ADD vote for
    // 0x…01, round 0xFEDCBA, seals (r 1, s 10, id 0) and (r 10, s 1, id 0).
    const expected: QbftExtraData = {
      vanity: Uint8Array.from({ length: 32 }, (_, i) => i + 1),
      validators: [addressOf(1), addressOf(2)],
      vote: { recipient: addressOf(1), add: true },
      round: 0xfedcba,
      seals: [seal(1n, 10n, 0), seal(10n, 1n, 0)],
    };
    expect(decoded).toEqual(expected);
    expect(encodeQbftExtraData(expected)).toEqual(raw);
  });

  it("reads the QBFT genesis extraData of RLPSubCommandTest and refuses its IBFT 2.0 ones", () => {
    const strings = javaHexStrings("besu/RLPSubCommandTest.java");
    const qbft = strings.filter((s) => s.endsWith("c080c0"));
    const ibft = strings.filter((s) => s.endsWith("808400000000c0"));
    expect(qbft.length).toBeGreaterThanOrEqual(2);
    expect(ibft.length).toBeGreaterThanOrEqual(5);
    // The validators the test expects next to each QBFT string.
    const lists = new Set(
      qbft.map((s) => decodeQbftExtraData(hex(s)).validators.map(bytesToHex).join(",")),
    );
    expect(lists).toEqual(
      new Set([
        "0xbe068f726a13c8d46c44be6ce9d275600e1735a4,0x5ff6f4b66a46a2b2310a6f3a93aaddc0d9a1c193",
        "0x241f804efb46f71acaa5be94a62f7798e89c3724,0x6cdf72da457453063ea92e7fa5ac30afbcec28cd",
      ]),
    );
    for (const s of qbft) {
      const decoded = decodeQbftExtraData(hex(s));
      expect(decoded).toMatchObject({ vote: undefined, round: 0, seals: [] });
      expect(bytesToHex(encodeQbftExtraData(decoded))).toBe(s);
    }
    // IBFT 2.0 writes no vote as 0x80 (not a list) and the round as 4 bytes.
    for (const s of ibft) expectInvalid(hex(s), "vote");
  });

  it("reads header.rs's two extraData literals (1 validator and 1 seal; 4 validators, round 1, 3 seals)", () => {
    expect(headerRsExtraData).toHaveLength(2);
    const [one, four] = headerRsExtraData.map(decodeQbftExtraData);
    expect(one).toMatchObject({ round: 0, vote: undefined });
    expect(one?.validators.map(bytesToHex)).toEqual(["0xcc4b2d4fbb236d5207b37a5cf739b8491b2b717c"]);
    expect(one?.seals).toHaveLength(1);
    expect(four).toMatchObject({ round: 1, vote: undefined });
    expect(four?.validators).toHaveLength(4);
    expect(four?.seals).toHaveLength(3);
    headerRsExtraData.forEach((bytes, i) => {
      expect(encodeQbftExtraData(decodeQbftExtraData(bytes)), `literal ${i}`).toEqual(bytes);
    });
  });

  it("refuses all four obsolete cases of qbft-tests' bft_extra_data.json", () => {
    const cases = JSON.parse(vectorText("qbft-tests/bft_extra_data.json")) as Record<
      string,
      { rlp: string }
    >;
    expect(Object.keys(cases)).toHaveLength(4);
    for (const [name, { rlp }] of Object.entries(cases)) {
      const error = expectCustosError(
        () => decodeQbftExtraData(hex(rlp)),
        "QBFT_EXTRA_DATA_INVALID",
      );
      // With an add vote the vote reads, and the 4-byte round 0x00fedcba is what fails.
      const field = name === "fully_populated_qbft_extra_data_with_add_vote" ? "round" : "vote";
      expect(error.details.field, name).toBe(field);
    }
  });

  it("follows the cases QbftExtraDataCodecTest builds in code", () => {
    const vanity = new Uint8Array(32);
    const addVote = [addressOf(1), Uint8Array.of(0xff)];
    // correctlyCodedRoundConstitutesValidContent: round 0xDCBA in 2 bytes, no validators.
    expect(
      decodeQbftExtraData(encodeRlp([vanity, [], addVote, Uint8Array.of(0xdc, 0xba), []])),
    ).toMatchObject({ round: 0xdcba, validators: [], vote: { add: true } });
    // emptyListConstituteValidContent: a drop vote's type written as null (0x80).
    expect(
      decodeQbftExtraData(
        encodeRlp([
          vanity,
          [],
          [addressOf(1), new Uint8Array(0)],
          Uint8Array.of(0xfe, 0xdc, 0xba),
          [],
        ]),
      ),
    ).toMatchObject({ vote: { recipient: addressOf(1), add: false } });
    // incorrectlyEncodedRoundThrowsRlpException: the vote not in a list, round 0x00dcba.
    expectInvalid(
      encodeRlp([vanity, [], addressOf(1), Uint8Array.of(0xff), Uint8Array.of(0, 0xdc, 0xba), []]),
      "vote",
    );
    // incorrectlyStructuredRlpThrowsException: round by writeInt (4 bytes), a long after the seals.
    expectInvalid(
      encodeRlp([
        vanity,
        [],
        addVote,
        Uint8Array.of(0, 0xfe, 0xdc, 0xba),
        [],
        Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1),
      ]),
      "round",
    );
    // incorrectVoteTypeThrowsException: vote type 0xAA.
    expectInvalid(
      encodeRlp([
        vanity,
        [addressOf(1), addressOf(2)],
        [addressOf(1), Uint8Array.of(0xaa)],
        Uint8Array.of(0, 0xfe, 0xdc, 0xba),
        [seal(1n, 10n, 0), seal(10n, 1n, 0)],
      ]),
      "vote",
    );
    // emptyExtraDataThrowsException.
    expectInvalid(new Uint8Array(0), "extraData");
  });
});

describe("decodeQbftExtraData: refusals", () => {
  const cases: readonly (readonly [string, Uint8Array, string])[] = [
    [
      "a 4-byte round with a leading zero",
      rawExtraData({ round: Uint8Array.of(0, 0, 0, 1) }),
      "round",
    ],
    ["round 0 written as 0x00", rawExtraData({ round: Uint8Array.of(0) }), "round"],
    ["a 5-byte round", rawExtraData({ round: Uint8Array.of(1, 0, 0, 0, 0) }), "round"],
    ["a round over 2^31 - 1", rawExtraData({ round: Uint8Array.of(0x80, 0, 0, 0) }), "round"],
    ["a round that is a list", rawExtraData({ round: [] }), "round"],
    ["a vote that is a byte string", rawExtraData({ vote: new Uint8Array(0) }), "vote"],
    ["a vote of one item", rawExtraData({ vote: [addressOf(2)] }), "vote"],
    [
      "a vote of three items",
      rawExtraData({ vote: [addressOf(2), Uint8Array.of(0xff), Uint8Array.of(0xff)] }),
      "vote",
    ],
    [
      "a vote recipient of 19 bytes",
      rawExtraData({ vote: [new Uint8Array(19), Uint8Array.of(0xff)] }),
      "vote",
    ],
    ["a drop vote typed 0xc0", rawExtraData({ vote: [addressOf(2), []] }), "vote"],
    ["a vote typed 0x01", rawExtraData({ vote: [addressOf(2), Uint8Array.of(1)] }), "vote"],
    [
      "a vote typed 0xffff",
      rawExtraData({ vote: [addressOf(2), Uint8Array.of(0xff, 0xff)] }),
      "vote",
    ],
    ["a seal of 64 bytes", rawExtraData({ seals: [seal(1n, 1n, 0).subarray(0, 64)] }), "seals"],
    [
      "a seal of 66 bytes",
      rawExtraData({ seals: [Uint8Array.from([...seal(1n, 1n, 0), 0])] }),
      "seals",
    ],
    ["a seal with recovery id 2", rawExtraData({ seals: [seal(1n, 1n, 2)] }), "seals"],
    ["a seal with recovery id 27", rawExtraData({ seals: [seal(1n, 1n, 27)] }), "seals"],
    ["a seal with r = 0", rawExtraData({ seals: [seal(0n, 1n, 0)] }), "seals"],
    ["a seal with s = n", rawExtraData({ seals: [seal(1n, CURVE_ORDER, 0)] }), "seals"],
    ["seals that are a byte string", rawExtraData({ seals: new Uint8Array(0) }), "seals"],
    ["a vanity of 31 bytes", rawExtraData({ vanity: new Uint8Array(31) }), "vanity"],
    ["a vanity that is a list", rawExtraData({ vanity: [] }), "vanity"],
    [
      "a validator of 21 bytes",
      rawExtraData({ validators: [addressOf(1), new Uint8Array(21)] }),
      "validators",
    ],
    ["validators that are a byte string", rawExtraData({ validators: addressOf(1) }), "validators"],
    ["an item after the seals", rawExtraData({ extra: [new Uint8Array(0)] }), "extraData"],
    ["a byte after the list", Uint8Array.from([...rawExtraData({}), 0x80]), "extraData"],
    ["a byte string, not a list", encodeRlp(new Uint8Array(40)), "extraData"],
    ["a list cut short", rawExtraData({}).subarray(0, 40), "extraData"],
    ["no seals item", encodeRlp([new Uint8Array(32), [], [], new Uint8Array(0)]), "seals"],
  ];

  it.each(cases)("refuses %s", (_, bytes, field) => {
    expectInvalid(bytes, field);
  });

  it("refuses non-canonical RLP as Besu's reader does", () => {
    const good = rawExtraData({ round: Uint8Array.of(5) });
    expect(decodeQbftExtraData(good).round).toBe(5);
    // Round 5 written 0x8105 instead of 0x05.
    const prefixed = rawExtraData({ round: Uint8Array.of(5) });
    const at = prefixed.lastIndexOf(0x05);
    const widened = Uint8Array.from([
      ...prefixed.subarray(0, at),
      0x81,
      0x05,
      ...prefixed.subarray(at + 1),
    ]);
    widened[1] = (widened[1] as number) + 1; // the root list's one-byte length (0xf8 xx)
    expect(widened[0]).toBe(0xf8);
    expectInvalid(widened, "round");
    // The 32-byte vanity written with a long-form length (0xb820) instead of 0xa0.
    const longForm = Uint8Array.from([
      0xf8,
      (good[1] as number) + 1,
      0xb8,
      0x20,
      ...good.subarray(3),
    ]);
    expectInvalid(longForm, "vanity");
  });
});

describe("decodeQbftExtraData: properties", () => {
  it("reads back what encodeQbftExtraData writes", () => {
    fc.assert(
      fc.property(extraDataArbitrary, (value) => {
        const bytes = encodeQbftExtraData(value);
        expect(decodeQbftExtraData(bytes)).toEqual(value);
        expect(encodeQbftExtraData(decodeQbftExtraData(bytes))).toEqual(bytes);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it("encodes no value it could not read back", () => {
    const bad: readonly QbftExtraData[] = [
      { vanity: new Uint8Array(31), validators: [], vote: undefined, round: 0, seals: [] },
      {
        vanity: new Uint8Array(32),
        validators: [new Uint8Array(19)],
        vote: undefined,
        round: 0,
        seals: [],
      },
      {
        vanity: new Uint8Array(32),
        validators: [],
        vote: { recipient: new Uint8Array(21), add: true },
        round: 0,
        seals: [],
      },
      { vanity: new Uint8Array(32), validators: [], vote: undefined, round: -1, seals: [] },
      { vanity: new Uint8Array(32), validators: [], vote: undefined, round: 1.5, seals: [] },
      {
        vanity: new Uint8Array(32),
        validators: [],
        vote: undefined,
        round: QBFT_MAX_ROUND + 1,
        seals: [],
      },
      {
        vanity: new Uint8Array(32),
        validators: [],
        vote: undefined,
        round: 0,
        seals: [seal(0n, 1n, 0)],
      },
    ];
    for (const value of bad) {
      expectCustosError(() => encodeQbftExtraData(value), "QBFT_EXTRA_DATA_INVALID");
    }
  });

  /** Decodes, or fails with the typed error; anything accepted re-encodes to the same bytes. */
  function decodesOrRefuses(bytes: Uint8Array): void {
    let decoded: QbftExtraData;
    try {
      decoded = decodeQbftExtraData(bytes);
    } catch (error) {
      expect(isCustosError(error, "QBFT_EXTRA_DATA_INVALID"), String(error)).toBe(true);
      return;
    }
    expect(encodeQbftExtraData(decoded)).toEqual(bytes);
  }

  it("answers 10,000 random byte strings with a value or QBFT_EXTRA_DATA_INVALID", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }),
          // Byte strings that open with a list header, to get past the first check.
          fc
            .uint8Array({ minLength: 1, maxLength: 300 })
            .map((b) => Uint8Array.from([0xf8, b.length, ...b])),
        ),
        decodesOrRefuses,
      ),
      { seed: SEED, numRuns: 10_000 },
    );
  });

  it("answers 12,000 mutations of valid extraData with a value or QBFT_EXTRA_DATA_INVALID", () => {
    const mutation = fc.record({
      kind: fc.constantFrom("set", "insert", "delete", "truncate", "swap"),
      at: fc.nat(),
      byte: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(
        extraDataArbitrary,
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (value, edits) => {
          let bytes = Array.from(encodeQbftExtraData(value));
          for (const { kind, at, byte } of edits) {
            const i = at % Math.max(1, bytes.length);
            if (kind === "set") bytes[i] = byte;
            if (kind === "insert") bytes.splice(i, 0, byte);
            if (kind === "delete") bytes.splice(i, 1);
            if (kind === "truncate") bytes = bytes.slice(0, i);
            if (kind === "swap" && i + 1 < bytes.length) {
              [bytes[i], bytes[i + 1]] = [bytes[i + 1] as number, bytes[i] as number];
            }
          }
          decodesOrRefuses(Uint8Array.from(bytes));
        },
      ),
      { seed: SEED, numRuns: 12_000 },
    );
  });

  it("answers 3,000 random RLP trees with a value or QBFT_EXTRA_DATA_INVALID", () => {
    const { tree } = fc.letrec<{ tree: RlpInput }>((self) => ({
      tree: fc.oneof(
        { depthSize: "small" },
        fc.uint8Array({ maxLength: 70 }),
        fc.array(self("tree"), { maxLength: 6 }),
      ),
    }));
    fc.assert(
      fc.property(tree, (value) => decodesOrRefuses(encodeRlp(value))),
      { seed: SEED, numRuns: 3000 },
    );
  });
});
