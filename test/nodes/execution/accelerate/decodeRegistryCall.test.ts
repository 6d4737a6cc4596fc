/**
 * decodeRegistryCall against ethers' ABI encoder: every canonical encoding decodes to its
 * arguments; anything else (another function, a length off by a byte, dirty integers, moved
 * or inconsistent array offsets, batches of mismatched or zero length) is refused.
 */
import { bytesToHex, hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeRegistryCall } from "../../../../nodes/execution/accelerate/index.ts";
import { registryInterface } from "../../stateFixtures.ts";

const encode = (name: string, args: unknown[]) =>
  hexToBytes(registryInterface.encodeFunctionData(name, args) as PrefixedHexString);
const word = fc.uint8Array({ minLength: 32, maxLength: 32 });
const uint32 = fc.nat(0xffff_ffff);
const uint40 = fc.oneof(fc.nat(1000), fc.constant(2 ** 40 - 1), fc.nat(2 ** 40 - 1));
const terms = fc.tuple(uint32, uint32, uint40, uint40);

function withByte(data: Uint8Array, at: number, value: number): Uint8Array {
  const out = new Uint8Array(data);
  out[at] = value;
  return out;
}

describe("decodeRegistryCall", () => {
  it("decodes canonical grant, revoke and batchGrant calldata to their arguments", () => {
    fc.assert(
      fc.property(uint32, word, terms, word, (custodian, subject, t, document) => {
        const grant = decodeRegistryCall(encode("grant", [custodian, subject, t, document]));
        expect(grant).toEqual({
          kind: "grant",
          custodian,
          subject,
          terms: { purposes: t[0], categories: t[1], validFrom: t[2], validUntil: t[3] },
          documentHash: document,
        });
        const revoke = decodeRegistryCall(encode("revoke", [custodian, subject, document]));
        expect(revoke).toEqual({ kind: "revoke", custodian, subject, documentHash: document });
      }),
    );
    fc.assert(
      fc.property(
        uint32,
        fc.array(fc.tuple(word, word), { minLength: 1, maxLength: 20 }),
        terms,
        (custodian, items, t) => {
          const subjects = items.map(([s]) => s);
          const documents = items.map(([, d]) => d);
          const call = decodeRegistryCall(
            encode("batchGrant", [custodian, subjects, t, documents]),
          );
          expect(call).toEqual({
            kind: "batchGrant",
            custodian,
            terms: { purposes: t[0], categories: t[1], validFrom: t[2], validUntil: t[3] },
            subjects,
            documentHashes: documents,
          });
        },
      ),
    );
  });

  it("refuses everything but the canonical encoding of a covered function", () => {
    const subject = new Uint8Array(32).fill(7);
    const grant = encode("grant", [5, subject, [1, 1, 0, 0], subject]);
    const revoke = encode("revoke", [5, subject, subject]);
    const batch = encode("batchGrant", [5, [subject, subject], [1, 1, 0, 0], [subject, subject]]);
    const refused: [string, Uint8Array][] = [
      ["empty", new Uint8Array(0)],
      ["selector only", grant.subarray(0, 4)],
      ["other function", encode("setPatientKey", [5, subject, `0x${"11".repeat(20)}`])],
      ["grant + a byte", Uint8Array.of(...grant, 0)],
      ["grant - a byte", grant.subarray(0, grant.length - 1)],
      ["revoke + a word", Uint8Array.of(...revoke, ...subject)],
      ["dirty custodian", withByte(grant, 4 + 27, 1)],
      ["dirty purposes", withByte(grant, 4 + 2 * 32 + 27, 1)],
      ["dirty validFrom", withByte(grant, 4 + 4 * 32 + 26, 1)],
      ["dirty revoke custodian", withByte(revoke, 4, 1)],
      ["batch + a byte", Uint8Array.of(...batch, 0)],
      ["batch subjects moved", withByte(batch, 4 + 32 + 31, 0x00)],
      ["batch documents moved", withByte(batch, 4 + 6 * 32 + 31, 0x60)],
      ["batch subjects longer", withByte(batch, 4 + 7 * 32 + 31, 3)],
      ["batch documents shorter", withByte(batch, 4 + 10 * 32 + 31, 1)],
      ["batch dirty terms", withByte(batch, 4 + 3 * 32 + 20, 1)],
      [
        "batch of mismatched lengths",
        encode("batchGrant", [5, [subject, subject], [1, 1, 0, 0], [subject]]),
      ],
      ["empty batch", encode("batchGrant", [5, [], [1, 1, 0, 0], []])],
    ];
    for (const [what, data] of refused) {
      expect(decodeRegistryCall(data), `${what}: ${bytesToHex(data).slice(0, 10)}`).toBeUndefined();
    }
  });
});
