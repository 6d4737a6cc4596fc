import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { RLP } from "@ethereumjs/rlp";
import { keccak_256 } from "@noble/hashes/sha3.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeQbftMessage,
  encodeQbftMessage,
  QBFT_MESSAGE_CODES,
  type QbftBlock,
  type QbftBlockCodec,
  type QbftCrypto,
  type QbftDecodeRejection,
} from "../../../../nodes/consensus/core/index.ts";
import {
  encodeRlpBytes,
  encodeRlpList,
  encodeRlpUint,
} from "../../../../nodes/consensus/core/qbftRlp.ts";
import {
  createToyQbftBlock,
  createToyQbftCrypto,
  qbftMessageMaker,
  toyQbftBlockCodec,
} from "../../../../nodes/consensus/sim/index.ts";

const toy = createToyQbftCrypto();
const make = qbftMessageMaker(toy.crypto);
const alice = toy.signer("alice");
const bob = toy.signer("bob");
const carol = toy.signer("carol");
const parentHash = keccak_256(Uint8Array.of(1));

function block(round: number, body = "txs") {
  return createToyQbftBlock({
    height: 7n,
    round,
    proposer: alice.address,
    parentHash,
    body: new TextEncoder().encode(body),
  });
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** One of each message type, valid and signed. */
function samples() {
  const prepared = block(0);
  const prepares = [alice, bob, carol].map((s) => make.prepareSigned(s, 7n, 0, prepared.digest));
  const roundChange = make.roundChange(bob, 7n, 1, { block: prepared, prepares });
  const roundChanges = [alice, bob, carol].map((s) =>
    make.roundChangeSigned(s, 7n, 1, { round: 0, digest: prepared.digest }),
  );
  return [
    make.prepare(alice, 7n, 0, prepared.digest),
    make.commit(bob, 7n, 3, prepared.digest),
    make.roundChange(carol, 7n, 2),
    roundChange,
    make.proposal(alice, block(0)),
    make.proposal(alice, prepared.withRound(1), roundChanges, prepares),
  ];
}

const REJECTIONS: readonly QbftDecodeRejection[] = [
  "oversized",
  "unknownCode",
  "malformed",
  "badBlock",
  "tooManyJustifications",
  "badSignature",
];

describe("decodeQbftMessage", () => {
  it("decodes what encodeQbftMessage wrote, with the signer as author", () => {
    const expectedAuthors = [alice, bob, carol, bob, alice, alice];
    samples().forEach((sample, index) => {
      const decoded = decodeQbftMessage(sample.bytes, toyQbftBlockCodec, toy.crypto);
      expect(decoded.ok).toBe(true);
      if (!decoded.ok) return;
      expect(decoded.author).toEqual(expectedAuthors[index]?.address);
      expect(decoded.message.type).toBe(sample.message.type);
      expect(hex(encodeQbftMessage(decoded.message))).toBe(hex(sample.bytes));
      expect(decoded.message.signed.signingHash).toEqual(sample.message.signed.signingHash);
    });
  });

  it("signs keccak256(RLP([code, payload])), checked with @ethereumjs/rlp", () => {
    for (const sample of samples()) {
      const code = sample.bytes[0] as number;
      const outer = RLP.decode(sample.bytes.subarray(1)) as unknown[];
      // PREPARE and COMMIT are the signed payload; the others wrap it first.
      const signedData = (
        code === QBFT_MESSAGE_CODES.prepare || code === QBFT_MESSAGE_CODES.commit ? outer : outer[0]
      ) as unknown[];
      const payload = signedData[0] as Parameters<typeof RLP.encode>[0];
      const expected = keccak_256(RLP.encode([code, payload]));
      expect(hex(sample.message.signed.signingHash)).toBe(hex(expected));
      expect(toy.crypto.recoverAddress(expected, signedData[1] as Uint8Array)).toBeDefined();
    }
  });

  it("writes Besu's layouts: sequence and round as minimal integers, prepared round before digest", () => {
    const digest = block(0).digest;
    const prepare = make.prepare(alice, 1n, 0, digest);
    // [[0x01, 0x80, digest], signature]
    expect(hex(prepare.bytes.subarray(0, 8))).toBe(`13f867e30180a0${hex(digest).slice(0, 2)}`);
    const roundChange = make.roundChange(bob, 1n, 1, {
      block: block(0),
      prepares: [make.prepareSigned(alice, 7n, 0, digest)],
    });
    const decoded = RLP.decode(roundChange.bytes.subarray(1)) as unknown[];
    const payload = (decoded[0] as unknown[])[0] as unknown[];
    expect(payload[2]).toEqual([Uint8Array.of(), digest]);
    expect(decoded).toHaveLength(3);
  });

  describe("on Besu's message vectors (ConsenSys/qbft-tests, layout only)", () => {
    const vectors = JSON.parse(
      readFileSync(
        resolve(import.meta.dirname, "../../../../data/besu-qbft/qbft-tests/messages.json"),
        "utf8",
      ),
    ) as Record<string, { rlp: string }>;
    // The vectors' signatures were made over an older encoding: recover them as anyone, and
    // take any RLP list as a block, to check the structure alone.
    const anyone: QbftCrypto = {
      keccak256: (data) => keccak_256(data),
      recoverAddress: () => new Uint8Array(20),
    };
    const anyBlock: QbftBlockCodec = {
      decode: (encoded): QbftBlock => ({
        height: 1n,
        round: 0,
        proposer: new Uint8Array(20),
        parentHash: new Uint8Array(32),
        hash: keccak_256(encoded),
        digest: keccak_256(encoded),
        encoded,
        withRound() {
          return this;
        },
      }),
    };
    const codes: Record<string, number> = {
      prepare: QBFT_MESSAGE_CODES.prepare,
      commit: QBFT_MESSAGE_CODES.commit,
      roundChange_empty_prepares: QBFT_MESSAGE_CODES.roundChange,
      roundChange_with_prepares: QBFT_MESSAGE_CODES.roundChange,
      proposal_empty_prepares_and_roundChanges: QBFT_MESSAGE_CODES.proposal,
      proposal_with_prepares_and_roundChanges: QBFT_MESSAGE_CODES.proposal,
    };
    const decode = (name: string) => {
      const rlp = Buffer.from((vectors[name] as { rlp: string }).rlp.slice(2), "hex");
      const bytes = new Uint8Array([codes[name] as number, ...rlp]);
      const decoded = decodeQbftMessage(bytes, anyBlock, anyone);
      if (!decoded.ok) throw new Error(`${name}: ${decoded.reason}`);
      expect(hex(encodeQbftMessage(decoded.message))).toBe(hex(bytes));
      return decoded.message;
    };

    it("reads PREPARE and COMMIT", () => {
      const prepare = decode("prepare");
      expect(prepare.type === "prepare" && prepare.signed.payload).toMatchObject({
        height: 1n,
        round: 0,
      });
      const commit = decode("commit");
      if (commit.type !== "commit") throw new Error("not a commit");
      expect(hex(commit.signed.payload.digest)).toBe(
        "641c42a09c96374e2fb362ecd573d24e832e6a2b4ef155257ab362415a0b88a4",
      );
      expect(hex(commit.signed.payload.commitSeal).slice(0, 8)).toBe("8a28202c");
    });

    it("reads ROUND_CHANGE with and without a prepared certificate", () => {
      const empty = decode("roundChange_empty_prepares");
      expect(empty.type === "roundChange" && empty.preparedBlock).toBeUndefined();
      const full = decode("roundChange_with_prepares");
      if (full.type !== "roundChange") throw new Error("not a round change");
      expect(full.signed.payload.prepared?.round).toBe(0);
      expect(full.preparedBlock).toBeDefined();
      expect(full.prepares).toHaveLength(1);
    });

    it("reads PROPOSAL with both justification lists inside one list", () => {
      const bare = decode("proposal_empty_prepares_and_roundChanges");
      expect(bare.type === "proposal" && bare.roundChanges).toEqual([]);
      const justified = decode("proposal_with_prepares_and_roundChanges");
      if (justified.type !== "proposal") throw new Error("not a proposal");
      expect(justified.roundChanges).toHaveLength(1);
      expect(justified.prepares).toHaveLength(1);
    });
  });

  it("refuses Besu 26.1's block-access-list slot", () => {
    const proposal = make.proposal(alice, block(0));
    const outer = RLP.decode(proposal.bytes.subarray(1)) as unknown[];
    const signed = outer[0] as unknown[];
    const payload = signed[0] as unknown[];
    const withSlot = RLP.encode([[[...payload, Uint8Array.of()], signed[1]], outer[1]] as never);
    const decoded = decodeQbftMessage(
      Uint8Array.of(QBFT_MESSAGE_CODES.proposal, ...withSlot),
      toyQbftBlockCodec,
      toy.crypto,
    );
    expect(decoded).toEqual({ ok: false, reason: "malformed" });
  });

  it("names each kind of bad input", () => {
    const reason = (
      bytes: Uint8Array,
      limits?: { maxMessageBytes: number; maxJustifications: number },
    ) => {
      const decoded = decodeQbftMessage(bytes, toyQbftBlockCodec, toy.crypto, limits);
      return decoded.ok ? "ok" : decoded.reason;
    };
    const prepare = make.prepare(alice, 7n, 0, block(0).digest).bytes;
    expect(reason(prepare, { maxMessageBytes: 50, maxJustifications: 4 })).toBe("oversized");
    expect(reason(new Uint8Array(0))).toBe("unknownCode");
    expect(reason(Uint8Array.of(0x16, ...prepare.subarray(1)))).toBe("unknownCode");
    expect(reason(prepare.subarray(0, prepare.length - 1))).toBe("malformed");
    const tampered = prepare.slice();
    tampered[10] = (tampered[10] as number) ^ 1; // a digest byte: the signature no longer matches
    expect(reason(tampered)).toBe("badSignature");
    const nonMinimalRound = encodeRlpList([
      encodeRlpList([
        encodeRlpUint(7n),
        encodeRlpBytes(Uint8Array.of(0)),
        encodeRlpBytes(block(0).digest),
      ]),
      encodeRlpBytes(new Uint8Array(65)),
    ]);
    expect(reason(Uint8Array.of(0x13, ...nonMinimalRound))).toBe("malformed");
    const shortDigest = encodeRlpList([
      encodeRlpList([encodeRlpUint(7n), encodeRlpUint(0), encodeRlpBytes(new Uint8Array(31))]),
      encodeRlpBytes(new Uint8Array(65)),
    ]);
    expect(reason(Uint8Array.of(0x13, ...shortDigest))).toBe("malformed");
    const many = make.roundChange(bob, 7n, 1, {
      block: block(0),
      prepares: [alice, bob, carol, alice, bob].map((s) =>
        make.prepareSigned(s, 7n, 0, block(0).digest),
      ),
    }).bytes;
    expect(reason(many, { maxMessageBytes: 1 << 20, maxJustifications: 4 })).toBe(
      "tooManyJustifications",
    );
    // A "block" of 2,000 nested lists never reaches the codec.
    let nested = encodeRlpList([]);
    for (let i = 0; i < 2000; i++) nested = encodeRlpList([nested]);
    const deep = encodeRlpList([
      encodeRlpList([
        encodeRlpList([encodeRlpUint(7n), encodeRlpUint(0), nested]),
        encodeRlpBytes(new Uint8Array(65)),
      ]),
      encodeRlpList([encodeRlpList([]), encodeRlpList([])]),
    ]);
    expect(reason(Uint8Array.of(0x12, ...deep))).toBe("badBlock");
    const notABlock = make.proposal(alice, {
      ...block(0),
      encoded: encodeRlpList([encodeRlpUint(1)]),
    });
    expect(reason(notABlock.bytes)).toBe("badBlock");
  });

  it("never throws on random or mutated bytes, and what it accepts re-encodes exactly (fuzz, 60,000 cases)", () => {
    const valid = samples().map((sample) => sample.bytes);
    const mutated = fc
      .tuple(
        fc.constantFrom(...valid),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.integer({ min: 0, max: 255 }),
            fc.constantFrom("set", "insert", "delete"),
          ),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.option(fc.nat(), { nil: undefined }),
      )
      .map(([base, edits, cut]) => {
        const bytes = [...base];
        for (const [at, value, kind] of edits) {
          const index = at % (bytes.length + 1);
          if (kind === "set" && index < bytes.length) bytes[index] = value;
          else if (kind === "insert") bytes.splice(index, 0, value);
          else if (kind === "delete") bytes.splice(index, 1);
        }
        return Uint8Array.from(
          cut === undefined ? bytes : bytes.slice(0, cut % (bytes.length + 1)),
        );
      });
    const random = fc
      .tuple(fc.integer({ min: 0x11, max: 0x16 }), fc.uint8Array({ maxLength: 300 }))
      .map(([code, rest]) => Uint8Array.of(code, ...rest));
    const structured = fc
      .tuple(
        fc.integer({ min: 0x12, max: 0x15 }),
        fc.letrec((tie) => ({
          item: fc.oneof(
            { depthSize: "small" },
            fc.uint8Array({ maxLength: 70 }),
            fc.array(tie("item"), { maxLength: 4 }),
          ),
        })).item,
      )
      .map(([code, item]) => Uint8Array.of(code, ...RLP.encode(item as never)));
    fc.assert(
      fc.property(fc.oneof(mutated, random, structured), (bytes) => {
        const decoded = decodeQbftMessage(bytes, toyQbftBlockCodec, toy.crypto);
        if (decoded.ok) {
          expect(hex(encodeQbftMessage(decoded.message))).toBe(hex(bytes));
        } else {
          expect(REJECTIONS).toContain(decoded.reason);
        }
      }),
      { numRuns: 60_000 },
    );
  });
});
