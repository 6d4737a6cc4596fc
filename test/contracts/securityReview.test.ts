/**
 * The attacks of the contract security review (issue 10), each performed on the real stack —
 * Consortium, ConsentRegistry and AccessLedger deployed together on Hardhat's network, with
 * governance going through real proposals and votes — and each now refused with its exact
 * custom error. docs/threat-model.md points here, one line per actor.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  type BaseContract,
  type ContractTransactionReceipt,
  type ContractTransactionResponse,
  keccak256,
  toUtf8Bytes,
  ZeroAddress,
} from "ethers";
import hre from "hardhat";
import { beforeEach, describe, expect, it } from "vitest";
import { dataCategories, purposeCodes } from "../../src/consent/index.ts";
import { consentTypedDataTypes } from "../../src/ledger/index.ts";
import { expectCustomError } from "./expectCustomError.ts";

const { ethers } = await hre.network.connect();
const provider = ethers.provider;

const Role = { None: 0, Hospital: 1, Regulator: 2, Researcher: 3, ReviewBoard: 4 } as const;
const STATUS = { None: 0n, Active: 1n, Revoked: 2n } as const;
const P = purposeCodes;
const C = dataCategories;
const FAR = 2n ** 40n;

/** Organisation ids in constructor order. */
const H1 = 1;
const H2 = 2;
const H3 = 3;
const RESEARCHER = 4;
const REGULATOR = 6;

const broad = {
  purposes: P.GRU.bit,
  categories: C.CONDITIONS.bit | C.DRUGS.bit | C.GENOMICS.bit,
  validFrom: 0,
  validUntil: 0,
};
const narrow = { ...broad, purposes: P.HMB.bit, categories: C.CONDITIONS.bit };
const doc = (label: string): string => keccak256(toUtf8Bytes(`document:${label}`));
const subject = (label: string): string => keccak256(toUtf8Bytes(`subject:${label}`));
const S = subject("patient");

/** The SDK's EIP-712 types (ConsentRegistry.test.ts checks the contract against its own copy). */
const TYPES = {
  Grant: { Grant: [...consentTypedDataTypes.Grant] },
  Update: { Update: [...consentTypedDataTypes.Update] },
  InvalidateSignatures: { InvalidateSignatures: [...consentTypedDataTypes.InvalidateSignatures] },
};

const all = await ethers.getSigners();
function signer(index: number): HardhatEthersSigner {
  const s = all[index];
  if (s === undefined) throw new Error(`no signer ${index}`);
  return s;
}
const admin1 = signer(0);
const recorder1 = signer(1);
const admin2 = signer(2);
const recorder2 = signer(3);
const admin3 = signer(4);
const recorder3 = signer(5);
const researcher = signer(6);
const board = signer(7);
const regulator = signer(8);
const patient = signer(9);
const delegate = signer(10);
const relayer = signer(11);
const spare = signer(12);
const validators = [13, 14, 15].map((i) => signer(i).address);

interface Stack {
  consortium: BaseContract;
  registry: BaseContract;
  ledger: BaseContract;
  domain: Record<string, unknown>;
}

async function deployStack(): Promise<Stack> {
  const hospital = (admin: HardhatEthersSigner, recorder: HardhatEthersSigner, v: string) => ({
    role: Role.Hospital,
    metadata: keccak256(toUtf8Bytes(admin.address)),
    accounts: [admin.address],
    recorders: [recorder.address],
    validator: v,
  });
  const other = (role: number, account: HardhatEthersSigner) => ({
    role,
    metadata: keccak256(toUtf8Bytes(account.address)),
    accounts: [account.address],
    recorders: [],
    validator: ZeroAddress,
  });
  const consortium = await ethers.deployContract("Consortium", [
    [
      hospital(admin1, recorder1, validators[0] as string),
      hospital(admin2, recorder2, validators[1] as string),
      hospital(admin3, recorder3, validators[2] as string),
      other(Role.Researcher, researcher),
      other(Role.ReviewBoard, board),
      other(Role.Regulator, regulator),
    ],
    0,
    100,
  ]);
  const registry = await ethers.deployContract("ConsentRegistry", [consortium.target]);
  const ledger = await ethers.deployContract("AccessLedger", [consortium.target, 1]);
  const { chainId } = await provider.getNetwork();
  const domain = {
    name: "Custos ConsentRegistry",
    version: "2",
    chainId,
    verifyingContract: await registry.getAddress(),
  };
  return { consortium, registry, ledger, domain };
}

let stack: Stack;
beforeEach(async () => {
  stack = await deployStack();
});

const fn = (contract: BaseContract, by: HardhatEthersSigner, name: string) =>
  contract.connect(by).getFunction(name);
async function send(tx: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("no receipt");
  return receipt;
}
const registry = (by: HardhatEthersSigner, name: string) => fn(stack.registry, by, name);
const ledger = (by: HardhatEthersSigner, name: string) => fn(stack.ledger, by, name);
const consortium = (by: HardhatEthersSigner, name: string) => fn(stack.consortium, by, name);
const consentOf = async (custodian: number, s: string) =>
  (await stack.registry.getFunction("consentOf")(custodian, s)) as {
    status: bigint;
    version: bigint;
    purposes: bigint;
    categories: bigint;
    custodian: bigint;
    nonce: bigint;
  };
const nonceOf = async (custodian: number, s: string): Promise<number> =>
  Number(await stack.registry.getFunction("nonceOf")(custodian, s));

/** Hospital 1 grants S (broad terms) and registers the patient key and a delegate. */
async function patientAtH1(): Promise<void> {
  await send(registry(recorder1, "grant")(H1, S, broad, doc("g1")));
  await send(registry(recorder1, "setPatientKey")(H1, S, patient.address));
  await send(registry(recorder1, "setDelegate")(H1, S, delegate.address, true));
}

async function signTerms(
  by: HardhatEthersSigner,
  kind: "Grant" | "Update",
  terms: typeof broad,
  documentHash: string,
  nonce: number,
): Promise<string> {
  return by.signTypedData(stack.domain, TYPES[kind], {
    custodian: H1,
    subject: S,
    ...terms,
    documentHash,
    nonce,
    deadline: FAR,
  });
}

/** Proposes through `proposer` (an admin of a hospital), lets `voters` vote, executes. */
async function govern(
  proposer: HardhatEthersSigner,
  name: string,
  args: readonly unknown[],
  voters: HardhatEthersSigner[],
): Promise<void> {
  const id = (await stack.consortium.getFunction("proposalCount")()) + 1n;
  await send(consortium(proposer, name)(...args));
  for (const voter of voters) await send(consortium(voter, "vote")(id));
  await send(stack.consortium.getFunction("execute")(id));
}

/** A query of the researcher to hospital 1, valid for a day. */
async function submitQuery(spec: string): Promise<{ queryId: bigint; submittedBlock: number }> {
  const { timestamp } = (await provider.getBlock("latest")) ?? { timestamp: 0 };
  const receipt = await send(
    ledger(researcher, "submitQuery")(
      keccak256(toUtf8Bytes(spec)),
      P.HMB.bit,
      C.CONDITIONS.bit,
      [H1],
      keccak256(toUtf8Bytes("irb")),
      timestamp + 86_400,
    ),
  );
  const queryId = (await stack.ledger.getFunction("queryCount")()) as bigint;
  return { queryId, submittedBlock: receipt.blockNumber };
}

/** A query of the researcher to hospital 1, approved by the review board. */
async function approvedQuery(): Promise<{ queryId: bigint; submittedBlock: number }> {
  const submitted = await submitQuery("spec");
  await send(ledger(board, "approveQuery")(submitted.queryId));
  return submitted;
}
const result = (consentBlock: number, epsilon = 0n) => ({
  resultHash: keccak256(toUtf8Bytes("result")),
  consentBlock,
  consentRoot: keccak256(toUtf8Bytes("root")),
  subjectCount: 120,
  disclosureReportHash: keccak256(toUtf8Bytes("report")),
  epsilon,
});

describe("1 (high) a revoked consent cannot be resurrected by an old signature", () => {
  it("a stale Update cannot broaden a newer, narrower consent", async () => {
    await patientAtH1();
    const stale = await signTerms(patient, "Update", broad, doc("broad"), await nonceOf(H1, S));
    await send(registry(recorder1, "update")(H1, S, narrow, doc("narrow")));
    await expectCustomError(
      registry(relayer, "updateBySig")(H1, S, broad, doc("broad"), 3, FAR, stale),
      stack.registry,
      "ConsentRegistryStaleSignature",
      [S, 4n, 3n],
    );
    expect((await consentOf(H1, S)).purposes).toBe(BigInt(narrow.purposes));
  });

  it("a stale Grant cannot re-activate a consent revoked after a re-grant", async () => {
    await patientAtH1();
    await send(registry(patient, "revoke")(H1, S, doc("r1")));
    // Signed while revoked, never relayed.
    const stale = await signTerms(patient, "Grant", broad, doc("g-old"), await nonceOf(H1, S));
    await send(registry(recorder1, "grant")(H1, S, narrow, doc("g2")));
    await send(registry(patient, "revoke")(H1, S, doc("r2")));
    await expectCustomError(
      registry(relayer, "grantBySig")(H1, S, broad, doc("g-old"), 4, FAR, stale),
      stack.registry,
      "ConsentRegistryStaleSignature",
      [S, 6n, 4n],
    );
    expect((await consentOf(H1, S)).status).toBe(STATUS.Revoked);
  });

  it("relayed in the same block right after the revocation, an old Grant does not undo it", async () => {
    await patientAtH1();
    await send(registry(patient, "revoke")(H1, S, doc("r1")));
    const stale = await signTerms(patient, "Grant", broad, doc("g-old"), await nonceOf(H1, S));
    await send(registry(recorder1, "grant")(H1, S, narrow, doc("g2")));
    await provider.send("evm_setAutomine", [false]);
    try {
      const revoke = await registry(patient, "revoke")(H1, S, doc("r2"));
      const replay = await registry(relayer, "grantBySig")(
        H1,
        S,
        broad,
        doc("g-old"),
        4,
        FAR,
        stale,
        {
          gasLimit: 300_000,
        },
      );
      await provider.send("evm_mine", []);
      const revoked = await provider.getTransactionReceipt(revoke.hash);
      const replayed = await provider.getTransactionReceipt(replay.hash);
      expect(revoked?.blockNumber).toBe(replayed?.blockNumber);
      expect([revoked?.status, replayed?.status]).toEqual([1, 0]);
    } finally {
      await provider.send("evm_setAutomine", [true]);
    }
    expect((await consentOf(H1, S)).status).toBe(STATUS.Revoked);
    await expectCustomError(
      registry(relayer, "grantBySig").staticCall(H1, S, broad, doc("g-old"), 4, FAR, stale),
      stack.registry,
      "ConsentRegistryStaleSignature",
      [S, 6n, 4n],
    );
  });

  it("while revoked, the patient (and a delegate) can cancel a pending signature", async () => {
    await patientAtH1();
    await send(registry(patient, "revoke")(H1, S, doc("r1")));
    const pending = await signTerms(patient, "Grant", broad, doc("g"), await nonceOf(H1, S));
    const cancel = await patient.signTypedData(stack.domain, TYPES.InvalidateSignatures, {
      custodian: H1,
      subject: S,
      nonce: 4,
      deadline: FAR,
    });
    await send(registry(relayer, "invalidateSignaturesBySig")(H1, S, 4, FAR, cancel));
    await expectCustomError(
      registry(relayer, "grantBySig")(H1, S, broad, doc("g"), 4, FAR, pending),
      stack.registry,
      "ConsentRegistryStaleSignature",
      [S, 5n, 4n],
    );
    const another = await signTerms(patient, "Grant", broad, doc("g2"), 5);
    await send(registry(delegate, "invalidateSignatures")(H1, S));
    await expectCustomError(
      registry(relayer, "grantBySig")(H1, S, broad, doc("g2"), 5, FAR, another),
      stack.registry,
      "ConsentRegistryStaleSignature",
      [S, 6n, 5n],
    );
  });
});

describe("2 (medium) no hospital can squat another hospital's patient", () => {
  it("hospital 2's recorder cannot write under hospital 1, before or after hospital 1's grant", async () => {
    await expectCustomError(
      registry(recorder2, "grant")(H1, S, broad, doc("squat")),
      stack.registry,
      "ConsentRegistryNotRecorder",
      [BigInt(H1), recorder2.address],
    );
    // Hospital 2 front-runs with its own record under the same pseudonym: it is its own record.
    await send(registry(recorder2, "grant")(H2, S, broad, doc("squat")));
    await send(registry(recorder2, "setPatientKey")(H2, S, recorder2.address));
    await patientAtH1();
    const own = await consentOf(H1, S);
    expect([own.status, own.custodian, own.version]).toEqual([STATUS.Active, BigInt(H1), 1n]);
    expect(await stack.registry.getFunction("patientKeyOf")(H1, S)).toBe(patient.address);
    await send(registry(recorder1, "revoke")(H1, S, doc("r")));
    await expectCustomError(
      registry(recorder2, "setPatientKey")(H1, S, recorder2.address),
      stack.registry,
      "ConsentRegistryNotRecorder",
      [BigInt(H1), recorder2.address],
    );
  });

  it("one foreign record cannot make hospital 1's batch revert", async () => {
    const subjects = ["a", "b", "c"].map(subject);
    const docs = ["a", "b", "c"].map(doc);
    await send(registry(recorder2, "grant")(H2, subjects[1], broad, doc("squat")));
    await send(registry(recorder1, "batchGrant")(H1, subjects, broad, docs));
    for (const s of subjects) expect((await consentOf(H1, s)).status).toBe(STATUS.Active);
  });

  it("a patient who changes hospital is moved by a governed transfer", async () => {
    await patientAtH1();
    const atH2 = subject("patient-at-h2");
    const data = stack.registry.interface.encodeFunctionData("transferSubjects", [
      H1,
      H2,
      [S],
      [atH2],
      doc("transfer decision"),
    ]);
    await govern(admin1, "proposeCall", [stack.registry.target, data], [admin2]);
    expect((await consentOf(H1, S)).status).toBe(STATUS.Revoked);
    expect((await consentOf(H2, atH2)).status).toBe(STATUS.Active);
    expect(await stack.registry.getFunction("patientKeyOf")(H2, atH2)).toBe(patient.address);
    await send(registry(recorder2, "update")(H2, atH2, narrow, doc("u")));
    await expectCustomError(
      registry(recorder1, "transferSubjects")(H1, H2, [S], [atH2], doc("x")),
      stack.registry,
      "ConsentRegistryNotConsortium",
      [recorder1.address],
    );
  });
});

describe("3 (medium) result snapshots must be current", () => {
  it("refuses a snapshot from before the query, from block 0, or from the unfinished block", async () => {
    const { queryId, submittedBlock } = await approvedQuery();
    const current = (await provider.getBlockNumber()) + 1;
    for (const stale of [0, submittedBlock - 1, current]) {
      await expectCustomError(
        ledger(recorder1, "recordResult")(queryId, H1, result(stale)),
        stack.ledger,
        "AccessLedgerInvalidConsentBlock",
        [queryId, BigInt(stale), BigInt(submittedBlock), BigInt(current)],
      );
      expect(await stack.ledger.getFunction("matchesResult")(queryId, H1, result(stale))).toBe(
        false,
      );
    }
    await send(ledger(recorder1, "recordResult")(queryId, H1, result(submittedBlock)));
    expect(
      await stack.ledger.getFunction("matchesResult")(queryId, H1, result(submittedBlock)),
    ).toBe(true);
    expect(Number((await stack.ledger.getFunction("query")(queryId)).submittedBlock)).toBe(
      submittedBlock,
    );
  });
});

describe("4 (low) an expelled researcher organisation's queries stop", () => {
  it("are neither approved, answered nor charged ε after the expulsion", async () => {
    const { queryId: pending } = await submitQuery("spec2");
    const { queryId, submittedBlock } = await approvedQuery();
    await send(ledger(admin1, "setBudgetLimit")(H1, RESEARCHER, 5_000_000n));
    await govern(admin1, "proposeRemoveOrganisation", [RESEARCHER], [admin2]);
    await expectCustomError(
      ledger(board, "approveQuery")(pending),
      stack.ledger,
      "AccessLedgerResearcherNotActive",
      [pending, BigInt(RESEARCHER)],
    );
    await expectCustomError(
      ledger(recorder1, "recordResult")(queryId, H1, result(submittedBlock, 1_000_000n)),
      stack.ledger,
      "AccessLedgerResearcherNotActive",
      [queryId, BigInt(RESEARCHER)],
    );
    await expectCustomError(
      ledger(recorder1, "declineQuery")(queryId, H1, 1),
      stack.ledger,
      "AccessLedgerResearcherNotActive",
      [queryId, BigInt(RESEARCHER)],
    );
    const [, spent] = await stack.ledger.getFunction("budget")(RESEARCHER, H1);
    expect(spent).toBe(0n);
  });
});

describe("5 (low) a recorder records and nothing else", () => {
  it("cannot manage accounts, govern, or set ε limits; it can still record", async () => {
    const refused = async (name: string, args: readonly unknown[], error: string) =>
      expectCustomError(consortium(recorder1, name)(...args), stack.consortium, error, [
        recorder1.address,
      ]);
    await refused("removeAccount", [admin1.address], "ConsortiumNotAdmin");
    await refused("addAccount", [spare.address], "ConsortiumNotAdmin");
    await refused("addRecorder", [spare.address], "ConsortiumNotAdmin");
    await refused("removeRecorder", [recorder1.address], "ConsortiumNotAdmin");
    await refused("setMetadata", [doc("m")], "ConsortiumNotAdmin");
    await refused("proposeRemoveOrganisation", [H2], "ConsortiumNotHospitalAdmin");
    const id = await (async () => {
      await send(consortium(admin1, "proposeRemoveOrganisation")(REGULATOR));
      return (await stack.consortium.getFunction("proposalCount")()) as bigint;
    })();
    await refused("vote", [id], "ConsortiumNotHospitalAdmin");
    await refused("cancel", [id], "ConsortiumNotHospitalAdmin");
    await expectCustomError(
      ledger(recorder1, "setBudgetLimit")(H1, RESEARCHER, 1n),
      stack.ledger,
      "AccessLedgerNotHospitalAdmin",
      [BigInt(H1), recorder1.address],
    );
    await send(registry(recorder1, "grant")(H1, S, broad, doc("g")));
    expect(await stack.consortium.getFunction("isAdmin")(H1, admin1.address)).toBe(true);
  });
});

describe("6 (low) a removed account cannot dodge its organisation's expulsion", () => {
  it("a freed key is retired for good and never joins another organisation", async () => {
    await send(consortium(admin1, "addAccount")(spare.address));
    await send(consortium(admin1, "removeAccount")(spare.address));
    await govern(admin2, "proposeRemoveOrganisation", [H1], [admin3]);
    await expectCustomError(
      consortium(researcher, "addAccount")(spare.address),
      stack.consortium,
      "ConsortiumAccountTaken",
      [spare.address, BigInt(H1)],
    );
    expect(await stack.consortium.getFunction("isMember")(spare.address)).toBe(false);
    expect(await stack.consortium.getFunction("organisationOf")(spare.address)).toBe(0n);
  });
});

describe("7 (low) an organisation never approves its own query", () => {
  it("refuses approval after the researcher organisation became a review board", async () => {
    const { queryId } = await submitQuery("spec");
    await govern(admin1, "proposeChangeRole", [RESEARCHER, Role.ReviewBoard], [admin2]);
    await expectCustomError(
      ledger(researcher, "approveQuery")(queryId),
      stack.ledger,
      "AccessLedgerSelfApproval",
      [queryId, BigInt(RESEARCHER)],
    );
  });
});

describe("decided rules", () => {
  it("an expelled custodian's patients can still revoke with their own key, and governance can move them", async () => {
    await patientAtH1();
    await send(registry(recorder1, "grant")(H1, subject("second"), broad, doc("g")));
    await govern(admin2, "proposeRemoveOrganisation", [H1], [admin3]);
    await expectCustomError(
      registry(recorder1, "revoke")(H1, S, doc("r")),
      stack.registry,
      "ConsentRegistryUnauthorised",
      [S, recorder1.address],
    );
    await send(registry(patient, "revoke")(H1, S, doc("r")));
    expect((await consentOf(H1, S)).status).toBe(STATUS.Revoked);
    const data = stack.registry.interface.encodeFunctionData("transferSubjects", [
      H1,
      H3,
      [subject("second")],
      [subject("second-at-h3")],
      doc("expulsion transfer"),
    ]);
    await govern(admin2, "proposeCall", [stack.registry.target, data], [admin3]);
    expect((await consentOf(H3, subject("second-at-h3"))).status).toBe(STATUS.Active);
    await send(registry(recorder3, "revoke")(H3, subject("second-at-h3"), doc("r3")));
  });

  it("with two hospitals nothing passes without both; a lone hospital governs alone", async () => {
    const two = await ethers.deployContract("Consortium", [
      [
        {
          role: Role.Hospital,
          metadata: doc("h1"),
          accounts: [admin1.address],
          recorders: [],
          validator: validators[0],
        },
        {
          role: Role.Hospital,
          metadata: doc("h2"),
          accounts: [admin2.address],
          recorders: [],
          validator: validators[1],
        },
      ],
      0,
      100,
    ]);
    await send(fn(two, admin1, "proposeRemoveOrganisation")(H2));
    await expectCustomError(two.getFunction("execute")(1), two, "ConsortiumMajorityNotReached", [
      1n,
      1n,
      2n,
    ]);
    await send(fn(two, admin2, "vote")(1));
    await send(two.getFunction("execute")(1));
    expect(await two.getFunction("hospitalCount")()).toBe(1n);
    // Hospital 1 is now alone: its own vote is a majority of one.
    await send(
      fn(
        two,
        admin1,
        "proposeAddOrganisation",
      )({
        role: Role.Regulator,
        metadata: doc("reg"),
        accounts: [regulator.address],
        recorders: [],
        validator: ZeroAddress,
      }),
    );
    await send(two.getFunction("execute")(2));
    expect(await two.getFunction("roleOf")(3)).toBe(BigInt(Role.Regulator));
  });

  it("the approval threshold cannot exceed the active review boards", async () => {
    await expectCustomError(
      ethers.deployContract("AccessLedger", [stack.consortium.target, 2]),
      stack.ledger,
      "AccessLedgerInvalidRequiredApprovals",
      [2n, 1n],
    );
  });
});
