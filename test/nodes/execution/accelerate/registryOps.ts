/**
 * Random ConsentRegistry traffic for the accelerator's differential tests: grants, batch
 * grants and revocations by recorders, by other members and for unknown custodians, with
 * valid and invalid arguments, duplicates, malformed calldata, value, access lists and gas
 * limits from generous down to out-of-gas at various points; plus patient keys, whose grants
 * and revocations the accelerator leaves to the interpreter.
 */
import type { Common } from "@ethereumjs/common";
import { createFeeMarket1559Tx, type FeeMarket1559Tx } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import fc from "fast-check";
import { createRegistrySlots } from "../../../../nodes/execution/accelerate/index.ts";
import { devGenesis, registryInterface } from "../../stateFixtures.ts";

export const { genesis, keys } = devGenesis(3);

const hex = (s: string) => hexToBytes(s as PrefixedHexString);

/** Senders: the three hospitals' recorders, then their admin accounts (members, no recorders). */
export const senders = [
  ...keys.hospitals.map((h) => h.recorder),
  ...keys.hospitals.map((h) => h.account),
];

/** Custodians: the three hospitals, then 0 and an organisation that does not exist. */
const custodians = [1, 2, 3, 0, 99] as const;

/** Pseudonyms: a small pool, so that grants, batches and revocations meet; the last is zero. */
const SUBJECTS = 9;
export function subjectOf(index: number): Uint8Array {
  return index === SUBJECTS
    ? new Uint8Array(32)
    : keccak_256(new TextEncoder().encode(`accelerate-subject-${index}`));
}

function documentOf(n: number): Uint8Array {
  return keccak_256(new TextEncoder().encode(`accelerate-document-${n}`));
}

/** Terms: mostly valid ones, with and without an end; sometimes each way the contract rejects them. */
const termsArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      purposes: fc.constantFrom(1, 0b10 | (1 << 8), 0b100 | (1 << 21)),
      categories: fc.constantFrom(1, (1 << 14) - 1, 0b1010),
      validFrom: fc.constantFrom(0, 100),
      validUntil: fc.constantFrom(0, 0, 200, 2 ** 40 - 1),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      purposes: fc.constantFrom(1, 0, 1 << 6, 1 << 30),
      categories: fc.constantFrom(1, 0, 1 << 14),
      validFrom: fc.constantFrom(0, 100, 2 ** 40 - 1),
      validUntil: fc.constantFrom(0, 50, 100, 200),
    }),
  },
);

type Terms = { purposes: number; categories: number; validFrom: number; validUntil: number };

/** What one transaction calls. */
export type RegistryOp =
  | { kind: "grant"; custodian: number; subject: number; terms: Terms; zeroDocument: boolean }
  | { kind: "revoke"; custodian: number; subject: number; zeroDocument: boolean }
  | {
      kind: "batchGrant";
      custodian: number;
      subjects: number[];
      terms: Terms;
      /** Index of an item whose document hash is zero, if any. */
      zeroDocumentAt: number | undefined;
      /** Documents one more or one fewer than subjects. */
      lengthMismatch: -1 | 0 | 1;
    }
  | { kind: "setPatientKey"; custodian: number; subject: number; key: number }
  | { kind: "raw"; data: Uint8Array }
  | { kind: "noncanonical"; how: "trailing" | "dirty" | "offset"; grant: boolean };

/** A transaction: who sends it, what it calls and in which context. */
export interface RegistryTx {
  /** An index into {@link senders}, or the recorder of the op's custodian (hospital 1's for others). */
  readonly sender: number | "recorder";
  readonly op: RegistryOp;
  readonly value: bigint;
  /** Gas limit: plenty, or this fraction (per mille) of a rough estimate of the need. */
  readonly gas: "plenty" | number;
  /** What the access list names: Consortium, the sender's binding, the custodian's organisation, the records. */
  readonly access: {
    consortium: boolean;
    binding: boolean;
    organisation: boolean;
    records: boolean;
  };
}

const custodianArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(1, 2, 3) },
  { weight: 1, arbitrary: fc.constantFrom(...custodians.slice(3)) },
);
const subjectArb = fc.oneof(
  { weight: 12, arbitrary: fc.nat(SUBJECTS - 1) },
  { weight: 1, arbitrary: fc.constant(SUBJECTS) },
);

const opArb: fc.Arbitrary<RegistryOp> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("grant" as const),
      custodian: custodianArb,
      subject: subjectArb,
      terms: termsArb,
      zeroDocument: fc.constantFrom(false, false, false, false, true),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("revoke" as const),
      custodian: custodianArb,
      subject: subjectArb,
      zeroDocument: fc.constantFrom(false, false, false, false, true),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("batchGrant" as const),
      custodian: custodianArb,
      // Distinct fresh subjects mostly (batches only create), sometimes pool subjects or a duplicate.
      subjects: fc.oneof(
        fc
          .array(fc.nat(1_000_000), { minLength: 1, maxLength: 12 })
          .map((xs) => xs.map((x) => 100 + x)),
        fc.array(subjectArb, { minLength: 0, maxLength: 5 }),
      ),
      terms: termsArb,
      zeroDocumentAt: fc.option(fc.nat(11), { nil: undefined, freq: 8 }),
      lengthMismatch: fc.constantFrom(0, 0, 0, 0, 0, 0, -1, 1) as fc.Arbitrary<-1 | 0 | 1>,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("setPatientKey" as const),
      custodian: fc.constantFrom(1, 2, 3),
      subject: fc.nat(SUBJECTS - 1),
      key: fc.nat(senders.length - 1),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("raw" as const),
      data: fc.uint8Array({ minLength: 0, maxLength: 80 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("noncanonical" as const),
      how: fc.constantFrom("trailing", "dirty", "offset"),
      grant: fc.boolean(),
    }),
  },
);

/** One random transaction; recorders send most of them. */
export const registryTxArb: fc.Arbitrary<RegistryTx> = fc.record({
  sender: fc.oneof(
    { weight: 8, arbitrary: fc.constant("recorder" as const) },
    { weight: 2, arbitrary: fc.nat(senders.length - 1) },
  ),
  op: opArb,
  value: fc.constantFrom(0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 1n),
  gas: fc.oneof(
    { weight: 5, arbitrary: fc.constant("plenty" as const) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 1_300 }) },
  ),
  access: fc.record({
    consortium: fc.constantFrom(false, false, true),
    binding: fc.constantFrom(false, false, true),
    organisation: fc.constantFrom(false, false, true),
    records: fc.constantFrom(false, false, true),
  }),
});

const termsTuple = (t: Terms) => [t.purposes, t.categories, t.validFrom, t.validUntil];
let documents = 0;

function calldata(op: RegistryOp): Uint8Array {
  const encode = (name: string, args: unknown[]) =>
    hex(registryInterface.encodeFunctionData(name, args));
  switch (op.kind) {
    case "grant":
      return encode("grant", [
        op.custodian,
        subjectOf(op.subject),
        termsTuple(op.terms),
        op.zeroDocument ? new Uint8Array(32) : documentOf(documents++),
      ]);
    case "revoke":
      return encode("revoke", [
        op.custodian,
        subjectOf(op.subject),
        op.zeroDocument ? new Uint8Array(32) : documentOf(documents++),
      ]);
    case "batchGrant": {
      const subjects = op.subjects.map(subjectOf);
      const docs = subjects.map((_, i) =>
        i === op.zeroDocumentAt ? new Uint8Array(32) : documentOf(documents++),
      );
      if (op.lengthMismatch === 1) docs.push(documentOf(documents++));
      if (op.lengthMismatch === -1) docs.pop();
      return encode("batchGrant", [op.custodian, subjects, termsTuple(op.terms), docs]);
    }
    case "setPatientKey":
      return encode("setPatientKey", [
        op.custodian,
        subjectOf(op.subject),
        senders[op.key]?.address as string,
      ]);
    case "raw":
      return op.data;
    case "noncanonical": {
      const base = op.grant
        ? encode("grant", [1, subjectOf(0), [1, 1, 0, 0], documentOf(documents++)])
        : encode("batchGrant", [
            1,
            [subjectOf(1000 + documents)],
            [1, 1, 0, 0],
            [documentOf(documents++)],
          ]);
      if (op.how === "trailing") return Uint8Array.of(...base, 0);
      const out = base.slice();
      // A dirty custodian (bits above uint32), or a batch's first offset moved by a word.
      if (op.how === "dirty" || op.grant) out[4 + 27] = 1;
      else out[4 + 32 + 31] = (out[4 + 32 + 31] as number) + 32;
      return out;
    }
  }
}

/** The index into {@link senders} of the account that sends `tx`. */
export function senderOf(tx: RegistryTx): number {
  if (tx.sender !== "recorder") return tx.sender;
  const custodian = "custodian" in tx.op ? tx.op.custodian : 1;
  return custodian >= 1 && custodian <= 3 ? custodian - 1 : 0;
}

/** A rough upper estimate of a call's execution gas, for gas limits near it. */
function roughNeed(op: RegistryOp): bigint {
  if (op.kind === "batchGrant") return 40_000n + 26_000n * BigInt(op.subjects.length);
  if (op.kind === "revoke") return 20_000n;
  return 45_000n;
}

/**
 * The signed transaction of `tx` with `nonce`. Access list entries use the slots the
 * contracts use (as the accelerator computes them), so they do warm what the calls touch.
 */
export function signRegistryTx(common: Common, tx: RegistryTx, nonce: bigint): FeeMarket1559Tx {
  const sender = senders[senderOf(tx)] as (typeof senders)[number];
  const data = calldata(tx.op);
  const slots = createRegistrySlots(keccak_256);
  const custodian = "custodian" in tx.op ? tx.op.custodian : 1;
  const accessList: { address: PrefixedHexString; storageKeys: PrefixedHexString[] }[] = [];
  const consortiumKeys: PrefixedHexString[] = [];
  if (tx.access.binding) consortiumKeys.push(bytesToHex(slots.binding(hex(sender.address))));
  if (tx.access.organisation) consortiumKeys.push(bytesToHex(slots.organisation(custodian)));
  if (tx.access.consortium || consortiumKeys.length > 0) {
    accessList.push({
      address: genesis.contracts.consortium as PrefixedHexString,
      storageKeys: consortiumKeys,
    });
  }
  if (tx.access.records) {
    const subjects =
      tx.op.kind === "batchGrant"
        ? tx.op.subjects
        : tx.op.kind === "grant" || tx.op.kind === "revoke"
          ? [tx.op.subject]
          : [];
    accessList.push({
      address: genesis.contracts.consentRegistry as PrefixedHexString,
      storageKeys: subjects
        .filter((_, i) => i % 2 === 0)
        .map((s) => bytesToHex(slots.record(custodian, subjectOf(s)))),
    });
  }
  const fields = {
    nonce,
    to: genesis.contracts.consentRegistry as PrefixedHexString,
    data,
    value: tx.value,
    maxFeePerGas: 10_000_000_000n,
    maxPriorityFeePerGas: 1n,
    chainId: common.chainId(),
    accessList,
  };
  const intrinsic = createFeeMarket1559Tx(
    { ...fields, gasLimit: 0n },
    { common },
  ).getIntrinsicGas();
  const gasLimit =
    tx.gas === "plenty"
      ? intrinsic + roughNeed(tx.op) * 2n
      : intrinsic + (roughNeed(tx.op) * BigInt(tx.gas)) / 1_000n;
  return createFeeMarket1559Tx({ ...fields, gasLimit }, { common }).sign(hex(sender.privateKey));
}
