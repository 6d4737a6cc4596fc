import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  type BaseContract,
  type ContractTransactionReceipt,
  type ContractTransactionResponse,
  concat,
  keccak256,
  type Log,
  Signature,
  TypedDataEncoder,
  type TypedDataField,
  toBeHex,
  toUtf8Bytes,
  verifyTypedData,
  ZeroAddress,
  ZeroHash,
} from "ethers";
import hre from "hardhat";
import { describe, expect, it } from "vitest";
import { ALL_CATEGORIES_MASK, dataCategories, purposeCodes } from "../../src/consent/index.ts";
import { expectCustomError } from "./expectCustomError.ts";

const ROLE_HOSPITAL = 1;
const HOSPITAL_A = 1;
const HOSPITAL_B = 2;
/** The custodian most tests write under. */
const A = HOSPITAL_A;
const B = HOSPITAL_B;
const STATUS = { None: 0n, Active: 1n, Revoked: 2n } as const;
const P = purposeCodes;
const C = dataCategories;

interface Terms {
  purposes: number;
  categories: number;
  validFrom: number;
  validUntil: number;
}

const terms: Terms = {
  purposes: P.HMB.bit | P.NCU.bit,
  categories: C.CONDITIONS.bit | C.DRUGS.bit,
  validFrom: 1_000,
  validUntil: 0,
};

const subject = (label: string): string => keccak256(toUtf8Bytes(`subject:${label}`));
const doc = (label: string): string => keccak256(toUtf8Bytes(`document:${label}`));
const S = subject("alice");

const termsFields: TypedDataField[] = [
  { name: "custodian", type: "uint32" },
  { name: "subject", type: "bytes32" },
  { name: "purposes", type: "uint32" },
  { name: "categories", type: "uint32" },
  { name: "validFrom", type: "uint40" },
  { name: "validUntil", type: "uint40" },
  { name: "documentHash", type: "bytes32" },
  { name: "nonce", type: "uint32" },
  { name: "deadline", type: "uint256" },
];
const TYPES = {
  Grant: { Grant: termsFields },
  Update: { Update: termsFields },
  Revoke: {
    Revoke: [
      { name: "custodian", type: "uint32" },
      { name: "subject", type: "bytes32" },
      { name: "documentHash", type: "bytes32" },
      { name: "nonce", type: "uint32" },
      { name: "deadline", type: "uint256" },
    ],
  },
  SetDelegate: {
    SetDelegate: [
      { name: "custodian", type: "uint32" },
      { name: "subject", type: "bytes32" },
      { name: "delegate", type: "address" },
      { name: "allowed", type: "bool" },
      { name: "nonce", type: "uint32" },
      { name: "deadline", type: "uint256" },
    ],
  },
  InvalidateSignatures: {
    InvalidateSignatures: [
      { name: "custodian", type: "uint32" },
      { name: "subject", type: "bytes32" },
      { name: "nonce", type: "uint32" },
      { name: "deadline", type: "uint256" },
    ],
  },
} satisfies Record<string, Record<string, TypedDataField[]>>;

const FAR = 2n ** 40n;
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function signer(signers: HardhatEthersSigner[], index: number): HardhatEthersSigner {
  const s = signers[index];
  if (s === undefined) throw new Error(`no signer ${index}`);
  return s;
}

/** A fresh network with a registry, two hospitals (A: recorder, B: recorderB) and actors. */
async function deploy() {
  const { ethers } = await hre.network.connect();
  const signers = await ethers.getSigners();
  const [recorder, recorderB, patient, delegate, relayer, stranger] = [0, 1, 2, 3, 4, 5].map((i) =>
    signer(signers, i),
  ) as [
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
  ];
  const consortium = await ethers.deployContract("MockConsortium");
  const setup = consortium.getFunction("setMember");
  await (await setup(recorder.address, HOSPITAL_A, ROLE_HOSPITAL)).wait();
  await (await setup(recorderB.address, HOSPITAL_B, ROLE_HOSPITAL)).wait();
  await (await consortium.getFunction("setRecorder")(HOSPITAL_A, recorder.address, true)).wait();
  await (await consortium.getFunction("setRecorder")(HOSPITAL_B, recorderB.address, true)).wait();
  const registry = await ethers.deployContract("ConsentRegistry", [await consortium.getAddress()]);
  const { chainId } = await ethers.provider.getNetwork();
  const domain = {
    name: "Custos ConsentRegistry",
    version: "2",
    chainId,
    verifyingContract: await registry.getAddress(),
  };

  const as = (account: HardhatEthersSigner, name: string) =>
    (registry.connect(account) as BaseContract).getFunction(name);
  const send = async (
    tx: Promise<ContractTransactionResponse>,
  ): Promise<ContractTransactionReceipt> => {
    const receipt = await (await tx).wait();
    if (receipt === null) throw new Error("no receipt");
    return receipt;
  };
  const events = (receipt: ContractTransactionReceipt) =>
    receipt.logs.map((log: Log) => {
      const parsed = registry.interface.parseLog(log);
      return { name: parsed?.name, args: [...(parsed?.args ?? [])] };
    });
  const consent = async (s: string, custodian: number = A) =>
    ((await registry.getFunction("consentOf")(custodian, s)) as { toObject(): unknown }).toObject();
  const nonceOf = async (s: string, custodian: number = A): Promise<bigint> =>
    (await registry.getFunction("nonceOf")(custodian, s)) as bigint;
  /** Calls a governance-only function of the registry as the (mock) consortium. */
  const asConsortium = (name: string, args: readonly unknown[]) =>
    consortium.getFunction("forward")(
      registry.target,
      registry.interface.encodeFunctionData(name, args),
    );
  const selector = (name: string): string => {
    const fragment = registry.interface.getError(name);
    if (fragment === null) throw new Error(`no error ${name}`);
    return fragment.selector;
  };
  const sign = async (
    by: HardhatEthersSigner,
    kind: keyof typeof TYPES,
    value: Record<string, unknown>,
  ): Promise<string> => by.signTypedData(domain, TYPES[kind], value);
  const latest = async (): Promise<number> => {
    const block = await ethers.provider.getBlock("latest");
    if (block === null) throw new Error("no block");
    return block.timestamp;
  };
  const setNextTime = async (time: number): Promise<void> => {
    await ethers.provider.send("evm_setNextBlockTimestamp", [time]);
  };
  const mine = async (): Promise<void> => {
    await ethers.provider.send("evm_mine", []);
  };
  /** Grants S by the recorder and registers the patient key and the delegate (nonce 3). */
  const withSubject = async (): Promise<void> => {
    await send(as(recorder, "grant")(A, S, terms, doc("g1")));
    await send(as(recorder, "setPatientKey")(A, S, patient.address));
    await send(as(recorder, "setDelegate")(A, S, delegate.address, true));
  };
  return {
    ethers,
    consortium,
    registry,
    domain,
    recorder,
    recorderB,
    patient,
    delegate,
    relayer,
    stranger,
    as,
    send,
    events,
    consent,
    nonceOf,
    asConsortium,
    selector,
    sign,
    latest,
    setNextTime,
    mine,
    withSubject,
  };
}

const granted = (
  s: string,
  custodian: number,
  actor: string,
  version: number,
  t: Terms,
  d: string,
) => ({
  name: "ConsentGranted",
  args: [
    s,
    BigInt(custodian),
    actor,
    BigInt(version),
    BigInt(t.purposes),
    BigInt(t.categories),
    BigInt(t.validFrom),
    BigInt(t.validUntil),
    d,
  ],
});

const record = (t: Terms, status: bigint, version: number, custodian: number, nonce: number) => ({
  purposes: BigInt(t.purposes),
  categories: BigInt(t.categories),
  validFrom: BigInt(t.validFrom),
  validUntil: BigInt(t.validUntil),
  status,
  version: BigInt(version),
  custodian: BigInt(custodian),
  nonce: BigInt(nonce),
});

describe("ConsentRegistry: deployment and views", () => {
  it("rejects a zero consortium", async () => {
    const { ethers, registry } = await deploy();
    await expectCustomError(
      ethers.deployContract("ConsentRegistry", [ZeroAddress]),
      registry,
      "ConsentRegistryZeroConsortium",
      [],
    );
  });

  it("exposes the consortium, the EIP-712 domain and empty records", async () => {
    const { registry, consortium, domain, consent, nonceOf, stranger } = await deploy();
    expect(await registry.getFunction("consortium")()).toBe(await consortium.getAddress());
    expect(await registry.getFunction("DOMAIN_SEPARATOR")()).toBe(
      TypedDataEncoder.hashDomain(domain),
    );
    const eip712 = await registry.getFunction("eip712Domain")();
    expect([eip712[1], eip712[2], eip712[3], eip712[4]]).toEqual([
      "Custos ConsentRegistry",
      "2",
      domain.chainId,
      domain.verifyingContract,
    ]);
    expect(await consent(S)).toEqual(
      record({ ...terms, purposes: 0, categories: 0, validFrom: 0 }, 0n, 0, 0, 0),
    );
    expect(await nonceOf(S)).toBe(0n);
    expect(await registry.getFunction("patientKeyOf")(A, S)).toBe(ZeroAddress);
    expect(await registry.getFunction("isDelegate")(A, S, stranger.address)).toBe(false);
    expect(await registry.getFunction("isPermitted")(A, S, P.HMB.bit, C.DRUGS.bit, 2_000)).toBe(
      false,
    );
  });
});

describe("ConsentRegistry: grant", () => {
  it("lets a hospital's recorder grant a new subject under its own hospital only", async () => {
    const { as, send, events, consent, registry, recorderB } = await deploy();
    const receipt = await send(as(recorderB, "grant")(B, S, terms, doc("g1")));
    expect(events(receipt)).toEqual([granted(S, B, recorderB.address, 1, terms, doc("g1"))]);
    expect(await consent(S, B)).toEqual(record(terms, STATUS.Active, 1, B, 1));
    await expectCustomError(
      as(recorderB, "grant")(A, subject("other"), terms, doc("g1")),
      registry,
      "ConsentRegistryNotRecorder",
      [BigInt(A), recorderB.address],
    );
  });

  it("keeps the same pseudonym at two custodians as two independent records", async () => {
    const { as, send, consent, registry, recorder, recorderB } = await deploy();
    await send(as(recorderB, "grant")(B, S, terms, doc("b")));
    const narrow = { ...terms, purposes: P.DS.bit };
    await send(as(recorder, "grant")(A, S, narrow, doc("a")));
    await send(as(recorderB, "revoke")(B, S, doc("rb")));
    expect(await consent(S, A)).toEqual(record(narrow, STATUS.Active, 1, A, 1));
    expect(await consent(S, B)).toEqual(record(terms, STATUS.Revoked, 2, B, 2));
    expect(await registry.getFunction("isPermitted")(A, S, P.DS.bit, C.DRUGS.bit, 2_000)).toBe(
      true,
    );
    expect(await registry.getFunction("isPermitted")(B, S, P.DS.bit, C.DRUGS.bit, 2_000)).toBe(
      false,
    );
  });

  it("rejects zero subject, zero document and invalid terms", async () => {
    const { as, registry, recorder } = await deploy();
    const grant = as(recorder, "grant");
    await expectCustomError(
      grant(A, ZeroHash, terms, doc("x")),
      registry,
      "ConsentRegistryZeroSubject",
      [],
    );
    await expectCustomError(
      grant(A, S, terms, ZeroHash),
      registry,
      "ConsentRegistryZeroDocumentHash",
      [S],
    );
    for (const purposes of [0, P.NCU.bit, P.HMB.bit | (1 << 6), P.GRU.bit + 2 ** 31]) {
      await expectCustomError(
        grant(A, S, { ...terms, purposes }, doc("x")),
        registry,
        "ConsentRegistryInvalidPurposes",
        [BigInt(purposes)],
      );
    }
    for (const categories of [0, ALL_CATEGORIES_MASK + 1, C.DRUGS.bit | (1 << 20)]) {
      await expectCustomError(
        grant(A, S, { ...terms, categories }, doc("x")),
        registry,
        "ConsentRegistryInvalidCategories",
        [BigInt(categories)],
      );
    }
    for (const validUntil of [1_000, 999, 1]) {
      await expectCustomError(
        grant(A, S, { ...terms, validUntil }, doc("x")),
        registry,
        "ConsentRegistryInvalidValidity",
        [1_000n, BigInt(validUntil)],
      );
    }
  });

  it("allows only recorders of the active custodian to grant a new subject", async () => {
    const { as, registry, consortium, stranger, recorderB } = await deploy();
    await expectCustomError(
      as(stranger, "grant")(A, S, terms, doc("x")),
      registry,
      "ConsentRegistryNotRecorder",
      [BigInt(A), stranger.address],
    );
    await (
      await consortium.getFunction("setMember")(stranger.address, HOSPITAL_A, ROLE_HOSPITAL)
    ).wait();
    await expectCustomError(
      as(stranger, "grant")(A, S, terms, doc("x")),
      registry,
      "ConsentRegistryNotRecorder",
      [BigInt(A), stranger.address],
    );
    await (await consortium.getFunction("setRole")(HOSPITAL_B, 0)).wait();
    await expectCustomError(
      as(recorderB, "grant")(B, S, terms, doc("x")),
      registry,
      "ConsentRegistryNotRecorder",
      [BigInt(B), recorderB.address],
    );
  });

  it("rejects a grant while active and lets only the custodian's side re-grant after revocation", async () => {
    const {
      as,
      send,
      events,
      consent,
      registry,
      recorder,
      recorderB,
      patient,
      delegate,
      withSubject,
    } = await deploy();
    await withSubject();
    await expectCustomError(
      as(recorder, "grant")(A, S, terms, doc("g2")),
      registry,
      "ConsentRegistryAlreadyActive",
      [S, 1n],
    );
    await send(as(recorder, "revoke")(A, S, doc("r1")));
    await expectCustomError(
      as(recorderB, "grant")(A, S, terms, doc("g2")),
      registry,
      "ConsentRegistryUnauthorised",
      [S, recorderB.address],
    );
    const narrower = { ...terms, purposes: P.DS.bit };
    const receipt = await send(as(patient, "grant")(A, S, narrower, doc("g2")));
    expect(events(receipt)).toEqual([granted(S, A, patient.address, 3, narrower, doc("g2"))]);
    await send(as(delegate, "revoke")(A, S, doc("r2")));
    await send(as(delegate, "grant")(A, S, terms, doc("g3")));
    await send(as(recorder, "revoke")(A, S, doc("r3")));
    await send(as(recorder, "grant")(A, S, terms, doc("g4")));
    // Three setup changes (grant, key, delegate) and six consent changes after them.
    expect(await consent(S)).toEqual(record(terms, STATUS.Active, 7, A, 9));
  });
});

describe("ConsentRegistry: update", () => {
  it("changes an active consent's terms by recorder, patient key or delegate (version + 1)", async () => {
    const { as, send, events, consent, recorder, patient, delegate, withSubject } = await deploy();
    await withSubject();
    const steps: [HardhatEthersSigner, Terms][] = [
      [recorder, { ...terms, purposes: P.GRU.bit }],
      [patient, { ...terms, categories: C.DEMOGRAPHICS.bit, validUntil: 5_000 }],
      [delegate, { ...terms, validFrom: 2_000 }],
    ];
    let version = 1;
    for (const [actor, t] of steps) {
      version += 1;
      const receipt = await send(as(actor, "update")(A, S, t, doc(`u${version}`)));
      expect(events(receipt)).toEqual([
        {
          ...granted(S, A, actor.address, version, t, doc(`u${version}`)),
          name: "ConsentUpdated",
        },
      ]);
      expect(await consent(S)).toEqual(record(t, STATUS.Active, version, A, version + 2));
    }
  });

  it("rejects updates that are not active, unauthorised or malformed; revoked never comes back", async () => {
    const { as, send, registry, recorder, recorderB, stranger, withSubject } = await deploy();
    const update = as(recorder, "update");
    await expectCustomError(update(A, S, terms, doc("u")), registry, "ConsentRegistryNotActive", [
      S,
      STATUS.None,
    ]);
    await withSubject();
    await expectCustomError(
      update(A, ZeroHash, terms, doc("u")),
      registry,
      "ConsentRegistryZeroSubject",
      [],
    );
    await expectCustomError(
      update(A, S, terms, ZeroHash),
      registry,
      "ConsentRegistryZeroDocumentHash",
      [S],
    );
    await expectCustomError(
      update(A, S, { ...terms, purposes: P.IRB.bit }, doc("u")),
      registry,
      "ConsentRegistryInvalidPurposes",
      [BigInt(P.IRB.bit)],
    );
    await expectCustomError(
      update(A, S, { ...terms, categories: 0 }, doc("u")),
      registry,
      "ConsentRegistryInvalidCategories",
      [0n],
    );
    await expectCustomError(
      update(A, S, { ...terms, validUntil: 10 }, doc("u")),
      registry,
      "ConsentRegistryInvalidValidity",
      [1_000n, 10n],
    );
    for (const who of [stranger, recorderB]) {
      await expectCustomError(
        as(who, "update")(A, S, terms, doc("u")),
        registry,
        "ConsentRegistryUnauthorised",
        [S, who.address],
      );
    }
    await send(as(recorder, "revoke")(A, S, doc("r")));
    await expectCustomError(update(A, S, terms, doc("u")), registry, "ConsentRegistryNotActive", [
      S,
      STATUS.Revoked,
    ]);
  });
});

describe("ConsentRegistry: revoke", () => {
  it("revokes from its block on, keeps the terms and emits the revocation document", async () => {
    const { as, send, events, consent, registry, delegate, withSubject } = await deploy();
    await withSubject();
    const isPermitted = registry.getFunction("isPermitted");
    expect(await isPermitted(A, S, P.DS.bit | P.NCU.bit, C.DRUGS.bit, 2_000)).toBe(true);
    const receipt = await send(as(delegate, "revoke")(A, S, doc("r1")));
    expect(events(receipt)).toEqual([
      { name: "ConsentRevoked", args: [S, BigInt(A), delegate.address, 2n, doc("r1")] },
    ]);
    expect(await consent(S)).toEqual(record(terms, STATUS.Revoked, 2, A, 4));
    expect(await isPermitted(A, S, P.DS.bit | P.NCU.bit, C.DRUGS.bit, 2_000)).toBe(false);
    expect(await isPermitted(A, S, P.DS.bit | P.NCU.bit, C.DRUGS.bit, 1_000)).toBe(false);
  });

  it("rejects revocations that are not active, unauthorised or without document", async () => {
    const { as, send, registry, recorder, recorderB, stranger, withSubject } = await deploy();
    const revoke = as(recorder, "revoke");
    await expectCustomError(revoke(A, S, doc("r")), registry, "ConsentRegistryNotActive", [
      S,
      STATUS.None,
    ]);
    await withSubject();
    await expectCustomError(
      revoke(A, ZeroHash, doc("r")),
      registry,
      "ConsentRegistryZeroSubject",
      [],
    );
    await expectCustomError(revoke(A, S, ZeroHash), registry, "ConsentRegistryZeroDocumentHash", [
      S,
    ]);
    for (const who of [stranger, recorderB]) {
      await expectCustomError(
        as(who, "revoke")(A, S, doc("r")),
        registry,
        "ConsentRegistryUnauthorised",
        [S, who.address],
      );
    }
    await send(revoke(A, S, doc("r")));
    await expectCustomError(revoke(A, S, doc("r2")), registry, "ConsentRegistryNotActive", [
      S,
      STATUS.Revoked,
    ]);
  });
});
describe("ConsentRegistry: batches", () => {
  it("batch-grants new subjects with shared terms and per-subject documents", async () => {
    const { as, send, events, consent, recorder } = await deploy();
    const subjects = ["a", "b", "c"].map(subject);
    const docs = ["a", "b", "c"].map(doc);
    const shared = { ...terms, validUntil: 9_000 };
    const receipt = await send(as(recorder, "batchGrant")(A, subjects, shared, docs));
    expect(events(receipt)).toEqual([
      granted(subject("a"), A, recorder.address, 1, shared, doc("a")),
      granted(subject("b"), A, recorder.address, 1, shared, doc("b")),
      granted(subject("c"), A, recorder.address, 1, shared, doc("c")),
    ]);
    expect(await consent(subject("b"))).toEqual(record(shared, STATUS.Active, 1, A, 1));
  });

  it("never re-grants a revoked subject in a batch; a single grant does, as a new version", async () => {
    const { as, send, consent, registry, recorder, selector } = await deploy();
    await send(as(recorder, "grant")(A, subject("b"), terms, doc("old")));
    await send(as(recorder, "revoke")(A, subject("b"), doc("old-r")));
    await expectCustomError(
      as(recorder, "batchGrant")(A, [subject("a"), subject("b")], terms, [doc("a"), doc("b")]),
      registry,
      "ConsentRegistryBatchItemRejected",
      [1n, subject("b"), selector("ConsentRegistryRevokedInBatch")],
    );
    expect(await consent(subject("b"))).toEqual(record(terms, STATUS.Revoked, 2, A, 2));
    await send(as(recorder, "grant")(A, subject("b"), terms, doc("new")));
    expect(await consent(subject("b"))).toEqual(record(terms, STATUS.Active, 3, A, 3));
  });

  it("rejects malformed batches and names the offending item; nothing is written", async () => {
    const { as, send, consent, registry, recorder, recorderB, stranger, selector } = await deploy();
    const batchGrant = as(recorder, "batchGrant");
    await expectCustomError(batchGrant(A, [], terms, []), registry, "ConsentRegistryInvalidBatch", [
      0n,
      0n,
    ]);
    await expectCustomError(
      batchGrant(A, [S, S], terms, [doc("a")]),
      registry,
      "ConsentRegistryInvalidBatch",
      [2n, 1n],
    );
    await expectCustomError(
      batchGrant(A, [S], { ...terms, categories: 1 << 14 }, [doc("a")]),
      registry,
      "ConsentRegistryInvalidCategories",
      [BigInt(1 << 14)],
    );
    for (const who of [stranger, recorderB]) {
      await expectCustomError(
        as(who, "batchGrant")(A, [S], terms, [doc("a")]),
        registry,
        "ConsentRegistryNotRecorder",
        [BigInt(A), who.address],
      );
    }
    const a = subject("a");
    const b = subject("b");
    const rejected = async (subjects: string[], docs: string[], index: number, reason: string) =>
      expectCustomError(
        batchGrant(A, subjects, terms, docs),
        registry,
        "ConsentRegistryBatchItemRejected",
        [BigInt(index), subjects[index], selector(reason)],
      );
    await rejected([a, ZeroHash], [doc("a"), doc("z")], 1, "ConsentRegistryZeroSubject");
    await rejected([a, b], [doc("a"), ZeroHash], 1, "ConsentRegistryZeroDocumentHash");
    await rejected([a, b, a], [doc("a"), doc("b"), doc("a2")], 2, "ConsentRegistryAlreadyActive");
    await send(as(recorder, "grant")(A, b, terms, doc("b")));
    await rejected([a, b], [doc("a"), doc("b2")], 1, "ConsentRegistryAlreadyActive");
    await send(as(recorder, "revoke")(A, b, doc("br")));
    await rejected([a, b], [doc("a"), doc("b2")], 1, "ConsentRegistryRevokedInBatch");
    expect((await consent(a)) as { version: bigint }).toMatchObject({ version: 0n });
  });

  it("cannot be griefed by another hospital: its records under the same pseudonyms do not collide", async () => {
    const { as, send, consent, recorder, recorderB } = await deploy();
    const subjects = ["a", "b", "c"].map(subject);
    const docs = ["a", "b", "c"].map(doc);
    await send(as(recorderB, "batchGrant")(B, subjects, terms, docs));
    await send(as(recorderB, "revoke")(B, subject("c"), doc("rc")));
    await send(as(recorder, "batchGrant")(A, subjects, terms, docs));
    for (const s of subjects)
      expect(await consent(s)).toEqual(record(terms, STATUS.Active, 1, A, 1));
  });

  it("batch-revokes the custodian's own records and names the offending item", async () => {
    const { as, send, events, consent, registry, recorder, recorderB, selector } = await deploy();
    const [a, b, c] = ["a", "b", "c"].map(subject) as [string, string, string];
    await send(as(recorder, "batchGrant")(A, [a, b], terms, [doc("a"), doc("b")]));
    await send(as(recorderB, "grant")(B, c, terms, doc("c")));
    const batchRevoke = as(recorder, "batchRevoke");
    await expectCustomError(batchRevoke(A, [], []), registry, "ConsentRegistryInvalidBatch", [
      0n,
      0n,
    ]);
    await expectCustomError(
      batchRevoke(A, [a], [doc("x"), doc("y")]),
      registry,
      "ConsentRegistryInvalidBatch",
      [1n, 2n],
    );
    const rejected = async (subjects: string[], index: number, reason: string, docs?: string[]) =>
      expectCustomError(
        batchRevoke(A, subjects, docs ?? subjects.map((s) => doc(`r-${s}`))),
        registry,
        "ConsentRegistryBatchItemRejected",
        [BigInt(index), subjects[index], selector(reason)],
      );
    await rejected([a, b], 1, "ConsentRegistryZeroDocumentHash", [doc("ra"), ZeroHash]);
    await rejected([a, subject("unknown")], 1, "ConsentRegistryNotActive");
    await rejected([a, b, a], 2, "ConsentRegistryNotActive");
    // B's record of c is not A's: under custodian A it does not exist.
    await rejected([a, c], 1, "ConsentRegistryNotActive");
    await expectCustomError(
      as(recorderB, "batchRevoke")(A, [a], [doc("ra")]),
      registry,
      "ConsentRegistryNotRecorder",
      [BigInt(A), recorderB.address],
    );
    const receipt = await send(batchRevoke(A, [a, b], [doc("ra"), doc("rb")]));
    expect(events(receipt)).toEqual([
      { name: "ConsentRevoked", args: [a, BigInt(A), recorder.address, 2n, doc("ra")] },
      { name: "ConsentRevoked", args: [b, BigInt(A), recorder.address, 2n, doc("rb")] },
    ]);
    expect(await consent(b)).toEqual(record(terms, STATUS.Revoked, 2, A, 2));
    expect(await consent(c, B)).toEqual(record(terms, STATUS.Active, 1, B, 1));
  });

  it("stays within 30,000 gas per consent for a batch grant of 100", async () => {
    const { as, send, recorder } = await deploy();
    const subjects = Array.from({ length: 100 }, (_, i) => subject(`bulk${i}`));
    const receipt = await send(as(recorder, "batchGrant")(A, subjects, terms, subjects.map(doc)));
    expect(Number(receipt.gasUsed) / 100).toBeLessThanOrEqual(30_000);
  });
});

describe("ConsentRegistry: patient key and delegates", () => {
  it("lets the custodian's recorders register, replace and remove the patient key", async () => {
    const { as, send, events, registry, nonceOf, recorder, patient, stranger } = await deploy();
    await send(as(recorder, "grant")(A, S, terms, doc("g1")));
    const setKey = as(recorder, "setPatientKey");
    expect(events(await send(setKey(A, S, patient.address)))).toEqual([
      {
        name: "PatientKeyChanged",
        args: [S, BigInt(A), patient.address, recorder.address, ZeroAddress],
      },
    ]);
    expect(events(await send(setKey(A, S, stranger.address)))).toEqual([
      {
        name: "PatientKeyChanged",
        args: [S, BigInt(A), stranger.address, recorder.address, patient.address],
      },
    ]);
    expect(events(await send(setKey(A, S, ZeroAddress)))).toEqual([
      {
        name: "PatientKeyChanged",
        args: [S, BigInt(A), ZeroAddress, recorder.address, stranger.address],
      },
    ]);
    expect(await registry.getFunction("patientKeyOf")(A, S)).toBe(ZeroAddress);
    expect(await nonceOf(S)).toBe(4n);
  });

  it("rejects patient key changes for unknown subjects, by others, or without change", async () => {
    const { as, registry, recorder, recorderB, patient, delegate, withSubject } = await deploy();
    await expectCustomError(
      as(recorder, "setPatientKey")(A, S, patient.address),
      registry,
      "ConsentRegistryUnknownSubject",
      [S],
    );
    await withSubject();
    for (const who of [recorderB, patient, delegate]) {
      await expectCustomError(
        as(who, "setPatientKey")(A, S, who.address),
        registry,
        "ConsentRegistryNotRecorder",
        [BigInt(A), who.address],
      );
    }
    await expectCustomError(
      as(recorder, "setPatientKey")(A, S, patient.address),
      registry,
      "ConsentRegistryPatientKeyUnchanged",
      [S, patient.address],
    );
  });

  it("lets recorders and the patient key add and remove delegates", async () => {
    const { as, send, events, registry, recorder, patient, stranger, withSubject } = await deploy();
    await withSubject();
    const isDelegate = registry.getFunction("isDelegate");
    expect(events(await send(as(patient, "setDelegate")(A, S, stranger.address, true)))).toEqual([
      { name: "DelegateAdded", args: [S, BigInt(A), stranger.address, patient.address] },
    ]);
    expect(await isDelegate(A, S, stranger.address)).toBe(true);
    expect(await isDelegate(B, S, stranger.address)).toBe(false);
    expect(events(await send(as(recorder, "setDelegate")(A, S, stranger.address, false)))).toEqual([
      { name: "DelegateRemoved", args: [S, BigInt(A), stranger.address, recorder.address] },
    ]);
    expect(await isDelegate(A, S, stranger.address)).toBe(false);
    await expectCustomError(
      as(stranger, "revoke")(A, S, doc("r")),
      registry,
      "ConsentRegistryUnauthorised",
      [S, stranger.address],
    );
  });

  it("rejects delegate changes for unknown subjects, zero delegates, by others, or without change", async () => {
    const { as, registry, recorder, recorderB, delegate, stranger, withSubject } = await deploy();
    await expectCustomError(
      as(recorder, "setDelegate")(A, S, stranger.address, true),
      registry,
      "ConsentRegistryUnknownSubject",
      [S],
    );
    await withSubject();
    await expectCustomError(
      as(recorder, "setDelegate")(A, S, ZeroAddress, true),
      registry,
      "ConsentRegistryZeroDelegate",
      [S],
    );
    for (const who of [delegate, recorderB, stranger]) {
      await expectCustomError(
        as(who, "setDelegate")(A, S, stranger.address, true),
        registry,
        "ConsentRegistryUnauthorised",
        [S, who.address],
      );
    }
    await expectCustomError(
      as(recorder, "setDelegate")(A, S, delegate.address, true),
      registry,
      "ConsentRegistryDelegateUnchanged",
      [S, delegate.address, true],
    );
    await expectCustomError(
      as(recorder, "setDelegate")(A, S, stranger.address, false),
      registry,
      "ConsentRegistryDelegateUnchanged",
      [S, stranger.address, false],
    );
  });
});
describe("ConsentRegistry: EIP-712 signatures relayed by anyone", () => {
  it("grants, updates and revokes by the patient's and the delegate's signatures", async () => {
    const { as, send, events, consent, nonceOf, sign, patient, delegate, relayer, withSubject } =
      await deploy();
    await withSubject();
    expect(await nonceOf(S)).toBe(3n);
    const revoke = { custodian: A, subject: S, documentHash: doc("r"), nonce: 3, deadline: FAR };
    const sig1 = await sign(patient, "Revoke", revoke);
    expect(events(await send(as(relayer, "revokeBySig")(A, S, doc("r"), 3, FAR, sig1)))).toEqual([
      { name: "ConsentRevoked", args: [S, BigInt(A), patient.address, 2n, doc("r")] },
    ]);
    const grant = {
      custodian: A,
      subject: S,
      ...terms,
      documentHash: doc("g"),
      nonce: 4,
      deadline: FAR,
    };
    const sig2 = await sign(delegate, "Grant", grant);
    expect(
      events(await send(as(relayer, "grantBySig")(A, S, terms, doc("g"), 4, FAR, sig2))),
    ).toEqual([granted(S, A, delegate.address, 3, terms, doc("g"))]);
    const changed = { ...terms, purposes: P.POA.bit };
    const sig3 = await sign(patient, "Update", {
      custodian: A,
      subject: S,
      ...changed,
      documentHash: doc("u"),
      nonce: 5,
      deadline: FAR,
    });
    expect(
      events(await send(as(relayer, "updateBySig")(A, S, changed, doc("u"), 5, FAR, sig3))),
    ).toEqual([
      { ...granted(S, A, patient.address, 4, changed, doc("u")), name: "ConsentUpdated" },
    ]);
    expect(await consent(S)).toEqual(record(changed, STATUS.Active, 4, A, 6));
  });

  it("manages delegates by the patient key's signature only", async () => {
    const { as, send, events, registry, sign, patient, delegate, relayer, stranger, withSubject } =
      await deploy();
    await withSubject();
    const value = {
      custodian: A,
      subject: S,
      delegate: stranger.address,
      allowed: true,
      nonce: 3,
      deadline: FAR,
    };
    const byPatient = await sign(patient, "SetDelegate", value);
    expect(
      events(
        await send(
          as(relayer, "setDelegateBySig")(A, S, stranger.address, true, 3, FAR, byPatient),
        ),
      ),
    ).toEqual([{ name: "DelegateAdded", args: [S, BigInt(A), stranger.address, patient.address] }]);
    const byDelegate = await sign(delegate, "SetDelegate", { ...value, allowed: false, nonce: 4 });
    await expectCustomError(
      as(relayer, "setDelegateBySig")(A, S, stranger.address, false, 4, FAR, byDelegate),
      registry,
      "ConsentRegistryUnauthorised",
      [S, delegate.address],
    );
  });

  it("rejects replays, stale nonces, expired deadlines, wrong signers and malformed signatures", async () => {
    const {
      as,
      send,
      registry,
      domain,
      sign,
      latest,
      setNextTime,
      patient,
      relayer,
      stranger,
      withSubject,
    } = await deploy();
    await withSubject();
    const revokeBySig = as(relayer, "revokeBySig");
    const sig = await sign(patient, "Revoke", {
      custodian: A,
      subject: S,
      documentHash: doc("r"),
      nonce: 3,
      deadline: FAR,
    });
    await send(revokeBySig(A, S, doc("r"), 3, FAR, sig));
    await expectCustomError(
      revokeBySig(A, S, doc("r"), 3, FAR, sig),
      registry,
      "ConsentRegistryStaleSignature",
      [S, 4n, 3n],
    );

    const grantBySig = as(relayer, "grantBySig");
    const value = {
      custodian: A,
      subject: S,
      ...terms,
      documentHash: doc("g"),
      nonce: 9,
      deadline: FAR,
    };
    await expectCustomError(
      grantBySig(A, S, terms, doc("g"), 9, FAR, await sign(patient, "Grant", value)),
      registry,
      "ConsentRegistryStaleSignature",
      [S, 4n, 9n],
    );
    await expectCustomError(
      grantBySig(
        A,
        S,
        terms,
        doc("g"),
        4,
        FAR,
        await sign(stranger, "Grant", { ...value, nonce: 4 }),
      ),
      registry,
      "ConsentRegistryUnauthorised",
      [S, stranger.address],
    );
    // A signature for another custodian's record of the same pseudonym recovers another
    // signer here: the custodian is part of the signed message.
    const forB = await sign(patient, "Grant", { ...value, custodian: B, nonce: 4 });
    await expectCustomError(
      grantBySig(A, S, terms, doc("g"), 4, FAR, forB),
      registry,
      "ConsentRegistryUnauthorised",
      [S, verifyTypedData(domain, TYPES.Grant, { ...value, nonce: 4 }, forB)],
    );
    const tampered = await sign(patient, "Grant", {
      ...value,
      nonce: 4,
      documentHash: doc("other"),
    });
    const recovered = verifyTypedData(domain, TYPES.Grant, { ...value, nonce: 4 }, tampered);
    await expectCustomError(
      grantBySig(A, S, terms, doc("g"), 4, FAR, tampered),
      registry,
      "ConsentRegistryUnauthorised",
      [S, recovered],
    );
    for (const bad of ["0x", `0x${"00".repeat(65)}`, `0x${"11".repeat(64)}`]) {
      await expectCustomError(
        grantBySig(A, S, terms, doc("g"), 4, FAR, bad),
        registry,
        "ConsentRegistryInvalidSignature",
        [],
      );
    }
    const good = Signature.from(await sign(patient, "Grant", { ...value, nonce: 4 }));
    const highS = concat([
      good.r,
      toBeHex(SECP256K1_N - BigInt(good.s), 32),
      good.v === 27 ? "0x1c" : "0x1b",
    ]);
    await expectCustomError(
      grantBySig(A, S, terms, doc("g"), 4, FAR, highS),
      registry,
      "ConsentRegistryInvalidSignature",
      [],
    );

    const deadline = (await latest()) + 10;
    const inTime = await sign(patient, "Grant", {
      ...value,
      nonce: 4,
      deadline: BigInt(deadline),
    });
    await setNextTime(deadline + 1);
    await expectCustomError(
      grantBySig(A, S, terms, doc("g"), 4, deadline, inTime),
      registry,
      "ConsentRegistryExpiredSignature",
      [BigInt(deadline)],
    );
    const deadline2 = deadline + 100;
    const atDeadline = await sign(patient, "Grant", {
      ...value,
      nonce: 4,
      deadline: BigInt(deadline2),
    });
    await setNextTime(deadline2);
    await send(grantBySig(A, S, terms, doc("g"), 4, deadline2, atDeadline));
  });

  it("cannot grant a new subject by signature: only a recorder may create it", async () => {
    const { as, registry, sign, patient, relayer } = await deploy();
    const fresh = subject("fresh");
    const value = {
      custodian: A,
      subject: fresh,
      ...terms,
      documentHash: doc("g"),
      nonce: 0,
      deadline: FAR,
    };
    await expectCustomError(
      as(relayer, "grantBySig")(
        A,
        fresh,
        terms,
        doc("g"),
        0,
        FAR,
        await sign(patient, "Grant", value),
      ),
      registry,
      "ConsentRegistryNotRecorder",
      [BigInt(A), patient.address],
    );
  });
});

describe("ConsentRegistry: invalidating signatures", () => {
  it("lets the patient, a delegate or a recorder invalidate pending signatures, directly or signed", async () => {
    const {
      as,
      send,
      events,
      registry,
      nonceOf,
      sign,
      recorder,
      patient,
      delegate,
      relayer,
      withSubject,
    } = await deploy();
    await withSubject();
    const pending = await sign(patient, "Revoke", {
      custodian: A,
      subject: S,
      documentHash: doc("r"),
      nonce: 3,
      deadline: FAR,
    });
    expect(events(await send(as(delegate, "invalidateSignatures")(A, S)))).toEqual([
      { name: "SignaturesInvalidated", args: [S, BigInt(A), delegate.address, 4n] },
    ]);
    await expectCustomError(
      as(relayer, "revokeBySig")(A, S, doc("r"), 3, FAR, pending),
      registry,
      "ConsentRegistryStaleSignature",
      [S, 4n, 3n],
    );
    await send(as(recorder, "invalidateSignatures")(A, S));
    const byPatient = await sign(patient, "InvalidateSignatures", {
      custodian: A,
      subject: S,
      nonce: 5,
      deadline: FAR,
    });
    expect(
      events(await send(as(relayer, "invalidateSignaturesBySig")(A, S, 5, FAR, byPatient))),
    ).toEqual([{ name: "SignaturesInvalidated", args: [S, BigInt(A), patient.address, 6n] }]);
    await expectCustomError(
      as(relayer, "invalidateSignaturesBySig")(A, S, 5, FAR, byPatient),
      registry,
      "ConsentRegistryStaleSignature",
      [S, 6n, 5n],
    );
    expect(await nonceOf(S)).toBe(6n);
  });

  it("works while revoked, and refuses unknown subjects and strangers", async () => {
    const { as, send, registry, nonceOf, recorder, patient, stranger, withSubject } =
      await deploy();
    await expectCustomError(
      as(recorder, "invalidateSignatures")(A, S),
      registry,
      "ConsentRegistryUnknownSubject",
      [S],
    );
    await withSubject();
    await send(as(patient, "revoke")(A, S, doc("r")));
    await send(as(patient, "invalidateSignatures")(A, S));
    expect(await nonceOf(S)).toBe(5n);
    await expectCustomError(
      as(stranger, "invalidateSignatures")(A, S),
      registry,
      "ConsentRegistryUnauthorised",
      [S, stranger.address],
    );
  });

  it("moves the nonce on with every change of the record, keys and delegates included", async () => {
    const { as, send, nonceOf, recorder, patient, stranger, withSubject } = await deploy();
    await withSubject();
    const steps: [() => Promise<unknown>, bigint][] = [
      [() => send(as(recorder, "update")(A, S, { ...terms, purposes: P.GRU.bit }, doc("u"))), 4n],
      [() => send(as(patient, "setDelegate")(A, S, stranger.address, true)), 5n],
      [() => send(as(recorder, "setPatientKey")(A, S, stranger.address)), 6n],
      [() => send(as(recorder, "revoke")(A, S, doc("r"))), 7n],
      [() => send(as(recorder, "grant")(A, S, terms, doc("g"))), 8n],
    ];
    for (const [step, expected] of steps) {
      await step();
      expect(await nonceOf(S)).toBe(expected);
    }
  });
});

describe("ConsentRegistry: governed custodian transfer", () => {
  it("moves active records to the new custodian with the patient key; the old record is revoked", async () => {
    const {
      as,
      send,
      events,
      consent,
      registry,
      consortium,
      asConsortium,
      recorder,
      patient,
      withSubject,
    } = await deploy();
    await withSubject();
    const toS = subject("alice-at-B");
    const receipt = await send(asConsortium("transferSubjects", [A, B, [S], [toS], doc("move")]));
    const consortiumAddress = await consortium.getAddress();
    expect(events(receipt)).toEqual([
      { name: "ConsentRevoked", args: [S, BigInt(A), consortiumAddress, 2n, doc("move")] },
      granted(toS, B, consortiumAddress, 1, terms, doc("move")),
      {
        name: "PatientKeyChanged",
        args: [toS, BigInt(B), patient.address, consortiumAddress, ZeroAddress],
      },
      { name: "SubjectTransferred", args: [S, BigInt(A), BigInt(B), toS] },
    ]);
    expect(await consent(S)).toEqual(record(terms, STATUS.Revoked, 2, A, 4));
    expect(await consent(toS, B)).toEqual(record(terms, STATUS.Active, 1, B, 1));
    expect(await registry.getFunction("patientKeyOf")(B, toS)).toBe(patient.address);
    // The old custodian's recorder can no longer act on the moved record.
    await expectCustomError(
      as(recorder, "revoke")(B, toS, doc("r")),
      registry,
      "ConsentRegistryUnauthorised",
      [toS, recorder.address],
    );
    // The patient's key still can.
    await send(as(patient, "revoke")(B, toS, doc("r")));
  });

  it("skips what cannot move and moves the rest", async () => {
    const { as, send, events, consent, registry, asConsortium, recorder, recorderB } =
      await deploy();
    const [a, b, c] = ["a", "b", "c"].map(subject) as [string, string, string];
    await send(as(recorder, "batchGrant")(A, [a, b, c], terms, [doc("a"), doc("b"), doc("c")]));
    await send(as(recorder, "revoke")(A, b, doc("rb")));
    await send(as(recorderB, "grant")(B, subject("c-at-B"), terms, doc("cb")));
    const receipt = await send(
      asConsortium("transferSubjects", [
        A,
        B,
        [a, b, c, subject("unknown")],
        [subject("a-at-B"), subject("b-at-B"), subject("c-at-B"), subject("u-at-B")],
        doc("move"),
      ]),
    );
    const skipped = events(receipt).filter((e) => e.name === "SubjectTransferSkipped");
    const selectorOf = (name: string) => registry.interface.getError(name)?.selector;
    expect(skipped.map((e) => [e.args[0], e.args[4]])).toEqual([
      [b, selectorOf("ConsentRegistryNotActive")],
      [c, selectorOf("ConsentRegistryTargetExists")],
      [subject("unknown"), selectorOf("ConsentRegistryNotActive")],
    ]);
    expect(await consent(subject("a-at-B"), B)).toEqual(record(terms, STATUS.Active, 1, B, 1));
    expect(await consent(c)).toEqual(record(terms, STATUS.Active, 1, A, 1));
  });

  it("is governance only, needs an active hospital as target and well-formed lists", async () => {
    const { as, registry, asConsortium, recorder, withSubject } = await deploy();
    await withSubject();
    await expectCustomError(
      as(recorder, "transferSubjects")(A, B, [S], [S], doc("m")),
      registry,
      "ConsentRegistryNotConsortium",
      [recorder.address],
    );
    await expectCustomError(
      asConsortium("transferSubjects", [A, 9, [S], [S], doc("m")]),
      registry,
      "ConsentRegistryNotHospital",
      [9n],
    );
    await expectCustomError(
      asConsortium("transferSubjects", [A, B, [S], [], doc("m")]),
      registry,
      "ConsentRegistryInvalidBatch",
      [1n, 0n],
    );
    await expectCustomError(
      asConsortium("transferSubjects", [A, B, [S], [S], ZeroHash]),
      registry,
      "ConsentRegistryZeroDocumentHash",
      [S],
    );
  });
});

describe("ConsentRegistry: isPermitted over time", () => {
  it("permits inside [validFrom, validUntil) for covered purposes and categories only", async () => {
    const { as, send, registry, recorder, latest, setNextTime, mine } = await deploy();
    const now = await latest();
    const window = { ...terms, validFrom: now + 100, validUntil: now + 200 };
    await send(as(recorder, "grant")(A, S, window, doc("g")));
    const isPermitted = registry.getFunction("isPermitted");
    const use = P.DS.bit | P.NCU.bit;
    const cats = C.DRUGS.bit;
    const atBlock = async (time: number): Promise<boolean> => {
      await setNextTime(time);
      await mine();
      return isPermitted(A, S, use, cats, await latest()) as Promise<boolean>;
    };
    expect(await atBlock(now + 99)).toBe(false);
    expect(await atBlock(now + 100)).toBe(true);
    expect(await atBlock(now + 199)).toBe(true);
    expect(await atBlock(now + 200)).toBe(false);
    const t = now + 150;
    expect(await isPermitted(A, S, P.DS.bit, cats, t)).toBe(false);
    expect(await isPermitted(A, S, P.GRU.bit | P.NCU.bit, cats, t)).toBe(false);
    expect(await isPermitted(A, S, P.POA.bit | P.NCU.bit, cats, t)).toBe(false);
    expect(await isPermitted(A, S, use, C.GENOMICS.bit, t)).toBe(false);
    expect(await isPermitted(A, S, use, 0, t)).toBe(false);
    expect(await isPermitted(A, S, use, C.DRUGS.bit | C.CONDITIONS.bit, t)).toBe(true);
    expect(await isPermitted(B, S, use, C.DRUGS.bit, t)).toBe(false);

    await send(as(recorder, "update")(A, S, { ...window, validUntil: 0 }, doc("u")));
    expect(await isPermitted(A, S, use, cats, 2n ** 64n - 1n)).toBe(true);
    expect(await isPermitted(A, S, use, cats, now + 99)).toBe(false);
  });
});
