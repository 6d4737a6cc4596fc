/**
 * A workload that makes every event of the three Custos contracts on a dev chain through the
 * SDK's ledger clients — consents (single and batch grants, updates, revocations, patient
 * keys, delegates, signature invalidation, a governance transfer with a skipped subject),
 * the query lifecycle with a result and a decline, an ε limit, site-trail anchors, and governance (accounts,
 * recorders, metadata, proposals voted, executed and cancelled, a validator change, calls
 * into AccessLedger, ConsentRegistry and Consortium) — and records, per transaction, the
 * entries the audit model must give for it, computed from the inputs and from contract
 * views, never from the audit code.
 */
import {
  getAddress,
  id,
  JsonRpcProvider,
  keccak256,
  type Log,
  toUtf8Bytes,
  Wallet,
  ZeroAddress,
} from "ethers";
import type { DevKeysFile } from "../../nodes/node/index.ts";
import type { AuditLog } from "../../src/audit/index.ts";
import type { Bytes32 } from "../../src/consent/index.ts";
import {
  type ConsortiumProposal,
  createAccessLedgerClient,
  createConsentRegistryClient,
  createConsortiumClient,
  ledgerContracts,
} from "../../src/ledger/index.ts";

/** The three contracts' logs of a chain as eth_getLogs gives them, with their blocks. */
export interface ChainAuditLogs {
  readonly logs: readonly Log[];
  /** Hash and timestamp of every block holding one of the logs, from eth_getBlockByNumber. */
  readonly blocks: ReadonlyMap<number, { readonly hash: string; readonly timestamp: number }>;
  /** The same logs as `projectAuditLog` takes them. */
  readonly auditLogs: readonly AuditLog[];
}

/** Reads every log of the three contracts from block 0 to the head, with its block's time. */
export async function readChainAuditLogs(
  rpcUrl: string,
  contracts: DevKeysFile["contracts"],
): Promise<ChainAuditLogs> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1 });
  try {
    const logs = await provider.getLogs({
      address: [contracts.consortium, contracts.consentRegistry, contracts.accessLedger],
      fromBlock: 0,
      toBlock: "latest",
    });
    const blocks = new Map<number, { hash: string; timestamp: number }>();
    for (const number of new Set(logs.map((l) => l.blockNumber))) {
      const block = await provider.getBlock(number);
      if (block === null || block.hash === null) throw new Error(`no block ${number}`);
      blocks.set(number, { hash: block.hash, timestamp: block.timestamp });
    }
    const auditLogs = logs.map((log) => ({
      address: log.address,
      topics: log.topics,
      data: log.data,
      blockNumber: log.blockNumber,
      blockHash: log.blockHash,
      blockTimestamp: blocks.get(log.blockNumber)?.timestamp ?? -1,
      transactionHash: log.transactionHash,
      transactionIndex: log.transactionIndex,
      logIndex: log.index,
    }));
    return { logs, blocks, auditLogs };
  } finally {
    provider.destroy();
  }
}

/** An entry the audit model must give, without its location. */
export interface ExpectedEntry {
  readonly event: string;
  readonly actor: string | null;
  readonly fields: Record<string, unknown>;
}

/** One transaction of the workload and its expected entries in log order. */
export interface WorkloadStep {
  readonly label: string;
  readonly hash: string;
  readonly blockNumber: number;
  readonly expected: readonly ExpectedEntry[];
}

/** Dev organisation ids: hospitals 1–4, then regulator, researcher, review board. */
export const DEV_ORG = { regulator: 5, researcher: 6, reviewBoard: 7, added: 8 } as const;

const pseudonym = (label: string): Bytes32 => keccak256(toUtf8Bytes(`audit:${label}`)) as Bytes32;
const doc = (label: string): Bytes32 => keccak256(toUtf8Bytes(`audit-doc:${label}`)) as Bytes32;

/** HMB + NCU; DEMOGRAPHICS + CONDITIONS. */
const termsA = { purposes: 4 | 256, categories: 1 | 4, validFrom: 0, validUntil: 0 };
const labelsA = { purposeLabels: ["HMB", "NCU"], categoryNames: ["DEMOGRAPHICS", "CONDITIONS"] };
/** GRU; DRUGS. */
const termsB = { purposes: 2, categories: 8, validFrom: 1_000, validUntil: 4_000_000_000 };
const labelsB = { purposeLabels: ["GRU"], categoryNames: ["DRUGS"] };

/** Subjects of the workload by role. */
export const workloadSubjects = {
  /** Custodian 1: granted, updated, key, delegates, invalidated. */
  s1: pseudonym("s1"),
  /** Custodian 2, batch: revoked, then skipped by the transfer. */
  s2: pseudonym("s2"),
  /** Custodian 2, batch: patient key, transferred to custodian 1 as t3. */
  s3: pseudonym("s3"),
  /** Custodian 2, batch. */
  s4: pseudonym("s4"),
  /** Custodian 3. */
  s5: pseudonym("s5"),
  t2: pseudonym("t2"),
  t3: pseudonym("t3"),
} as const;

/** What the workload did besides its steps. */
export interface AuditWorkload {
  readonly steps: readonly WorkloadStep[];
  /** Q1: targets 1 and 2, approved, a result at 1 and a decline at 2, closed. Q2: closed unanswered. */
  readonly queries: { readonly q1: string; readonly q2: string };
  readonly researcher: string;
  readonly patient: string;
  /** ε of Q1's result at hospital 1, and the limit hospital 1 set (micro-units). */
  readonly epsilon: bigint;
  readonly limit: bigint;
}

/** Runs one account's transactions one at a time, so its nonces never collide. */
function serial() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const result = tail.then(work);
    tail = result.catch(() => undefined);
    return result;
  };
}

const at = <T>(items: readonly T[], i: number): T => {
  const item = items[i];
  if (item === undefined) throw new Error(`no item ${i}`);
  return item;
};

/**
 * Runs the workload against a dev node (4 hospitals) and returns the steps in the order
 * they were mined.
 */
export async function runAuditWorkload(rpcUrl: string, keys: DevKeysFile): Promise<AuditWorkload> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, {
    cacheTimeout: -1,
    pollingInterval: 50,
  });
  // Steps run concurrently: when one fails, the others end before the provider goes, so the
  // failure reported is the first one, not a cancelled request.
  const started: Promise<unknown>[] = [];
  try {
    return await run(provider, keys, (work) => {
      started.push(work);
      return work;
    });
  } catch (error) {
    await Promise.allSettled(started);
    throw error;
  } finally {
    provider.destroy();
  }
}

async function run(
  provider: JsonRpcProvider,
  keys: DevKeysFile,
  background: <T>(work: Promise<T>) => Promise<T>,
): Promise<AuditWorkload> {
  const wallet = (key: string) => new Wallet(key, provider);
  const admins = [0, 1, 2, 3].map((i) => wallet(at(keys.hospitals, i).account.privateKey));
  const recorders = [0, 1, 2, 3].map((i) => wallet(at(keys.hospitals, i).recorder.privateKey));
  const researcher = wallet(keys.researcher.privateKey);
  const board = wallet(keys.reviewBoard.privateKey);
  const lanes = new Map<Wallet, ReturnType<typeof serial>>();
  const lane = (w: Wallet) => {
    let s = lanes.get(w);
    if (s === undefined) {
      s = serial();
      lanes.set(w, s);
    }
    return s;
  };
  const contracts = keys.contracts;
  const registry = (w: Wallet, custodian: number) =>
    createConsentRegistryClient({ address: contracts.consentRegistry, runner: w, custodian });
  const ledger = (w: Wallet) =>
    createAccessLedgerClient({ address: contracts.accessLedger, runner: w });
  const consortium = (w: Wallet) =>
    createConsortiumClient({ address: contracts.consortium, runner: w });
  const views = consortium(admins[0] as Wallet);
  const ledgerView = ledger(researcher);
  const patient = Wallet.createRandom().address;
  const delegate = Wallet.createRandom().address;
  const consortiumAddress = getAddress(contracts.consortium);
  const steps: WorkloadStep[] = [];
  const step = (
    label: string,
    tx: { hash: string; blockNumber: number },
    expected: readonly ExpectedEntry[],
  ) => {
    steps.push({ label, hash: tx.hash, blockNumber: tx.blockNumber, expected });
  };
  const S = workloadSubjects;
  const [admin1, admin2, admin3, admin4] = admins as [Wallet, Wallet, Wallet, Wallet];
  const [rec1, rec2, rec3] = recorders as [Wallet, Wallet, Wallet, Wallet];
  const epsilon = 1_000_000n;
  const limit = 5_000_000n;

  // ---- consents ------------------------------------------------------------------------
  const granted = (
    subject: string,
    custodian: number,
    actor: string,
    version: number,
    docHash: string,
    terms = termsA,
    labels = labelsA,
  ): ExpectedEntry => ({
    event: "ConsentGranted",
    actor,
    fields: { subject, custodian, actor, version, ...terms, documentHash: docHash, ...labels },
  });

  const custodian1 = background(
    (async () => {
      const r = registry(rec1, 1);
      const s1 = S.s1;
      let tx = await lane(rec1)(() =>
        r.grant({ subject: s1, ...termsA, documentHash: doc("s1-1") }),
      );
      step("grant s1", tx, [granted(s1, 1, rec1.address, 1, doc("s1-1"))]);
      tx = await lane(rec1)(() => r.update({ subject: s1, ...termsB, documentHash: doc("s1-2") }));
      step("update s1", tx, [
        {
          event: "ConsentUpdated",
          actor: rec1.address,
          fields: {
            subject: s1,
            custodian: 1,
            actor: rec1.address,
            version: 2,
            ...termsB,
            documentHash: doc("s1-2"),
            ...labelsB,
          },
        },
      ]);
      tx = await lane(rec1)(() => r.setPatientKey(s1, patient));
      step("patient key s1", tx, [
        {
          event: "PatientKeyChanged",
          actor: rec1.address,
          fields: {
            subject: s1,
            custodian: 1,
            key: patient,
            actor: rec1.address,
            previousKey: ZeroAddress,
          },
        },
      ]);
      for (const allowed of [true, false]) {
        tx = await lane(rec1)(() => r.setDelegate(s1, delegate, allowed));
        step(`delegate ${allowed}`, tx, [
          {
            event: allowed ? "DelegateAdded" : "DelegateRemoved",
            actor: rec1.address,
            fields: { subject: s1, custodian: 1, delegate, actor: rec1.address },
          },
        ]);
      }
      tx = await lane(rec1)(() => r.invalidateSignatures(s1));
      step("invalidate s1", tx, [
        {
          event: "SignaturesInvalidated",
          actor: rec1.address,
          fields: { subject: s1, custodian: 1, actor: rec1.address, nonce: await r.nonceOf(s1) },
        },
      ]);
    })(),
  );

  const custodian2 = background(
    (async () => {
      const r = registry(rec2, 2);
      const batch = await lane(rec2)(() =>
        r.batchGrant(
          [S.s2, S.s3, S.s4].map((subject, i) => ({ subject, documentHash: doc(`batch-${i}`) })),
          termsA,
        ),
      );
      if (batch.landed.length !== 1) throw new Error("the batch grant did not land in one chunk");
      const landed = at(batch.landed, 0).transaction;
      step(
        "batch grant",
        landed,
        [S.s2, S.s3, S.s4].map((subject, i) =>
          granted(subject, 2, rec2.address, 1, doc(`batch-${i}`)),
        ),
      );
      let tx = await lane(rec2)(() => r.revoke(S.s2, doc("s2-revoked")));
      step("revoke s2", tx, [
        {
          event: "ConsentRevoked",
          actor: rec2.address,
          fields: {
            subject: S.s2,
            custodian: 2,
            actor: rec2.address,
            version: 2,
            documentHash: doc("s2-revoked"),
          },
        },
      ]);
      tx = await lane(rec2)(() => r.setPatientKey(S.s3, patient));
      step("patient key s3", tx, [
        {
          event: "PatientKeyChanged",
          actor: rec2.address,
          fields: {
            subject: S.s3,
            custodian: 2,
            key: patient,
            actor: rec2.address,
            previousKey: ZeroAddress,
          },
        },
      ]);
    })(),
  );

  const custodian3 = background(
    (async () => {
      const tx = await lane(rec3)(() =>
        registry(rec3, 3).grant({ subject: S.s5, ...termsA, documentHash: doc("s5") }),
      );
      step("grant s5", tx, [granted(S.s5, 3, rec3.address, 1, doc("s5"))]);
    })(),
  );

  // ---- queries -------------------------------------------------------------------------
  // An hour after the later of the head's time and now: the head may still be the genesis
  // block (timestamp 0) when the steps above landed in blocks this provider has not seen.
  const latest = await provider.getBlock("latest");
  const expiry = Math.max(latest?.timestamp ?? 0, Math.floor(Date.now() / 1000)) + 3600;
  const submission = (targets: number[], label: string) => ({
    specHash: doc(`spec-${label}`),
    use: 4 | 1024,
    categories: 4 | 8,
    targets,
    approvalRef: doc(`approval-${label}`),
    expiry,
  });
  const submittedEntry = (queryId: bigint, s: ReturnType<typeof submission>): ExpectedEntry => ({
    event: "QuerySubmitted",
    actor: researcher.address,
    fields: {
      queryId: queryId.toString(),
      researcherOrg: DEV_ORG.researcher,
      purpose: 4,
      researcher: researcher.address,
      specHash: s.specHash,
      use: s.use,
      categories: s.categories,
      targets: s.targets,
      approvalRef: s.approvalRef,
      expiry: s.expiry,
      purposeLabel: "HMB",
      useLabels: ["HMB", "IRB"],
      categoryNames: ["CONDITIONS", "DRUGS"],
    },
  });

  const budget = background(
    (async () => {
      const tx = await lane(admin1)(() =>
        ledger(admin1).setBudgetLimit(1, DEV_ORG.researcher, limit),
      );
      step("budget limit", tx, [
        {
          event: "BudgetLimitSet",
          actor: admin1.address,
          fields: {
            researcherOrg: DEV_ORG.researcher,
            hospitalId: 1,
            setter: admin1.address,
            limit: limit.toString(),
            spent: "0",
          },
        },
      ]);
    })(),
  );

  const s1 = submission([1, 2], "q1");
  const q1 = await lane(researcher)(() => ledger(researcher).submitQuery(s1));
  step("submit q1", q1, [submittedEntry(q1.queryId, s1)]);
  const s2 = submission([2, 3], "q2");
  const q2 = await lane(researcher)(() => ledger(researcher).submitQuery(s2));
  step("submit q2", q2, [submittedEntry(q2.queryId, s2)]);
  const closeQ2 = background(
    lane(researcher)(() => ledger(researcher).closeQuery(q2.queryId)).then((tx) =>
      step("close q2", tx, [
        {
          event: "QueryClosed",
          actor: researcher.address,
          fields: {
            queryId: q2.queryId.toString(),
            researcherOrg: DEV_ORG.researcher,
            closedBy: researcher.address,
            responseCount: 0,
          },
        },
      ]),
    ),
  );
  const approved = await lane(board)(() => ledger(board).approveQuery(q1.queryId));
  step("approve q1", approved, [
    {
      event: "QueryApproved",
      actor: board.address,
      fields: {
        queryId: q1.queryId.toString(),
        reviewBoardOrg: DEV_ORG.reviewBoard,
        approver: board.address,
        approvals: 1,
        approved: true,
      },
    },
  ]);
  const { submittedBlock } = await ledgerView.query(q1.queryId);
  const result = {
    resultHash: doc("result-1"),
    consentBlock: submittedBlock,
    consentRoot: doc("root-1"),
    subjectCount: 120,
    disclosureReportHash: doc("report-1"),
    epsilon,
  };
  await budget;
  const answers = background(
    Promise.all([
      lane(rec1)(() => ledger(rec1).recordResult(q1.queryId, 1, result)).then((tx) =>
        step("result q1 at 1", tx, [
          {
            event: "ResultRecorded",
            actor: rec1.address,
            fields: {
              queryId: q1.queryId.toString(),
              hospitalId: 1,
              researcherOrg: DEV_ORG.researcher,
              recorder: rec1.address,
              result: {
                resultHash: result.resultHash,
                consentBlock: submittedBlock.toString(),
                consentRoot: result.consentRoot,
                subjectCount: result.subjectCount,
                disclosureReportHash: result.disclosureReportHash,
                epsilon: epsilon.toString(),
              },
            },
          },
        ]),
      ),
      lane(rec2)(() => ledger(rec2).declineQuery(q1.queryId, 2, 7)).then((tx) =>
        step("decline q1 at 2", tx, [
          {
            event: "QueryDeclined",
            actor: rec2.address,
            fields: {
              queryId: q1.queryId.toString(),
              hospitalId: 2,
              researcherOrg: DEV_ORG.researcher,
              recorder: rec2.address,
              reasonCode: 7,
              reason: "cohortTooSmall",
            },
          },
        ]),
      ),
    ]),
  );
  const closeQ1 = background(
    answers.then(async () => {
      const tx = await lane(researcher)(() => ledger(researcher).closeQuery(q1.queryId));
      step("close q1", tx, [
        {
          event: "QueryClosed",
          actor: researcher.address,
          fields: {
            queryId: q1.queryId.toString(),
            researcherOrg: DEV_ORG.researcher,
            closedBy: researcher.address,
            responseCount: 2,
          },
        },
      ]);
    }),
  );

  // ---- governance ----------------------------------------------------------------------
  const selfManagement = background(
    (async () => {
      const extra = Wallet.createRandom().address;
      let tx = await lane(admin2)(() => consortium(admin2).addAccount(extra));
      step("add account", tx, [
        { event: "AccountAdded", actor: null, fields: { orgId: 2, account: extra } },
      ]);
      tx = await lane(admin2)(() => consortium(admin2).removeAccount(extra));
      step("remove account", tx, [
        { event: "AccountRemoved", actor: null, fields: { orgId: 2, account: extra } },
      ]);
      const recorder = Wallet.createRandom().address;
      tx = await lane(admin4)(() => consortium(admin4).addRecorder(recorder));
      step("add recorder", tx, [
        { event: "RecorderAdded", actor: null, fields: { hospitalId: 4, account: recorder } },
      ]);
      tx = await lane(admin4)(() => consortium(admin4).removeRecorder(recorder));
      step("remove recorder", tx, [
        { event: "RecorderRemoved", actor: null, fields: { hospitalId: 4, account: recorder } },
      ]);
      const metadata = id("hospital 3, renamed");
      tx = await lane(admin3)(() => consortium(admin3).setMetadata(metadata as Bytes32));
      step("metadata", tx, [
        { event: "MetadataUpdated", actor: null, fields: { orgId: 3, metadata } },
      ]);
    })(),
  );

  /**
   * A proposal by `proposer` (hospital `hospitalId`), voted for by two other hospitals and
   * executed by its proposer; `applied(proposal, executedBlock)` gives the entries the
   * execution makes after ProposalExecuted.
   */
  const pass = async (
    label: string,
    hospitalId: number,
    create: (
      c: ReturnType<typeof consortium>,
    ) => Promise<{ proposalId: bigint; hash: string; blockNumber: number }>,
    action: Record<string, unknown>,
    applied: (executedBlock: number) => Promise<ExpectedEntry[]>,
    beforeExecute: Promise<unknown> = Promise.resolve(),
  ) => {
    const proposer = at(admins, hospitalId - 1);
    const created = await lane(proposer)(() => create(consortium(proposer)));
    const id = created.proposalId;
    const proposal: ConsortiumProposal = await views.proposal(id);
    step(`${label}: proposed`, created, [
      {
        event: "ProposalCreated",
        actor: proposer.address,
        fields: {
          proposalId: id.toString(),
          hospitalId,
          proposer: proposer.address,
          kind: proposal.kind,
          payload: proposal.payload,
          executableFrom: proposal.executableFrom.toString(),
          expiresAt: proposal.expiresAt.toString(),
          action,
        },
      },
      // Proposing is the proposer's hospital's vote.
      {
        event: "Voted",
        actor: proposer.address,
        fields: { proposalId: id.toString(), hospitalId, voter: proposer.address },
      },
    ]);
    const voters = [1, 2, 3, 4].filter((h) => h !== hospitalId).slice(0, 2);
    await Promise.all(
      voters.map(async (h) => {
        const voter = at(admins, h - 1);
        const tx = await lane(voter)(() => consortium(voter).vote(id));
        step(`${label}: vote ${h}`, tx, [
          {
            event: "Voted",
            actor: voter.address,
            fields: { proposalId: id.toString(), hospitalId: h, voter: voter.address },
          },
        ]);
      }),
    );
    await beforeExecute;
    const executed = await lane(proposer)(() => consortium(proposer).execute(id));
    step(`${label}: executed`, executed, [
      {
        event: "ProposalExecuted",
        actor: proposer.address,
        fields: { proposalId: id.toString(), executor: proposer.address },
      },
      ...(await applied(executed.blockNumber)),
    ]);
  };

  const orgAccount = Wallet.createRandom().address;
  const orgMetadata = id("researchers B") as Bytes32;
  const organisationLifecycle = background(
    (async () => {
      await pass(
        "add organisation",
        1,
        (c) =>
          c.proposeAddOrganisation({
            role: "researcher",
            metadata: orgMetadata,
            accounts: [orgAccount],
          }),
        {
          kind: "addOrganisation",
          role: "researcher",
          metadata: orgMetadata,
          accounts: [orgAccount],
          recorders: [],
          validator: ZeroAddress,
        },
        async () => [
          {
            event: "OrganisationAdded",
            actor: null,
            fields: { orgId: DEV_ORG.added, role: "researcher", metadata: orgMetadata },
          },
          {
            event: "AccountAdded",
            actor: null,
            fields: { orgId: DEV_ORG.added, account: orgAccount },
          },
        ],
      );
      await pass(
        "change role",
        1,
        (c) => c.proposeChangeRole(DEV_ORG.added, "reviewBoard"),
        { kind: "changeRole", orgId: DEV_ORG.added, role: "reviewBoard" },
        async () => [
          {
            event: "RoleChanged",
            actor: null,
            fields: { orgId: DEV_ORG.added, previousRole: "researcher", newRole: "reviewBoard" },
          },
        ],
      );
      await pass(
        "remove organisation",
        1,
        (c) => c.proposeRemoveOrganisation(DEV_ORG.added),
        { kind: "removeOrganisation", orgId: DEV_ORG.added },
        async () => [
          { event: "OrganisationRemoved", actor: null, fields: { orgId: DEV_ORG.added } },
        ],
      );
    })(),
  );

  const newValidator = Wallet.createRandom().address;
  const previousValidator = getAddress(at(keys.hospitals, 3).validator.address);
  const validatorChange = background(
    pass(
      "set validator",
      4,
      (c) => c.proposeSetValidator(4, newValidator),
      { kind: "setValidator", hospitalId: 4, validator: newValidator },
      async (executedBlock: number) => [
        {
          event: "ValidatorChanged",
          actor: null,
          fields: { hospitalId: 4, previous: previousValidator, validator: newValidator },
        },
        {
          event: "ValidatorSetScheduled",
          actor: null,
          fields: {
            fromBlock: String(executedBlock + 2),
            // Consortium keeps the set sorted by address.
            validators: [
              ...keys.hospitals.slice(0, 3).map((h) => h.validator.address),
              newValidator,
            ]
              .map((a) => a.toLowerCase())
              .sort()
              .map((a) => getAddress(a)),
          },
        },
      ],
    ),
  );

  const ledgerIface = ledgerContracts.AccessLedger.iface;
  const registryIface = ledgerContracts.ConsentRegistry.iface;
  const consortiumIface = ledgerContracts.Consortium.iface;
  const callAction = (
    contract: string,
    target: string,
    data: string,
    fn: string,
    args: Record<string, unknown>,
  ) => ({
    kind: "call",
    target: getAddress(target),
    data,
    contract,
    function: fn,
    args,
  });

  const approvalsData = ledgerIface.encodeFunctionData("setRequiredApprovals", [1]);
  const approvalsCall = background(
    pass(
      "required approvals",
      4,
      (c) => c.proposeCall(contracts.accessLedger, approvalsData as `0x${string}`),
      callAction("AccessLedger", contracts.accessLedger, approvalsData, "setRequiredApprovals", {
        requiredApprovals_: 1,
      }),
      async () => [
        { event: "RequiredApprovalsChanged", actor: null, fields: { previous: 1, current: 1 } },
      ],
    ),
  );

  const paramsData = consortiumIface.encodeFunctionData("setGovernanceParameters", [1, 100]);
  const paramsCall = background(
    validatorChange.then(() =>
      pass(
        "governance parameters",
        4,
        (c) => c.proposeCall(contracts.consortium, paramsData as `0x${string}`),
        callAction("Consortium", contracts.consortium, paramsData, "setGovernanceParameters", {
          executionDelay_: "1",
          votingPeriod_: "100",
        }),
        async () => [
          {
            event: "GovernanceParametersChanged",
            actor: null,
            fields: { executionDelay: "1", votingPeriod: "100" },
          },
        ],
      ),
    ),
  );

  const transferData = registryIface.encodeFunctionData("transferSubjects", [
    2,
    1,
    [S.s3, S.s2],
    [S.t3, S.t2],
    doc("transfer"),
  ]);
  const transfer = background(
    approvalsCall.then(() =>
      pass(
        "transfer",
        4,
        (c) => c.proposeCall(contracts.consentRegistry, transferData as `0x${string}`),
        callAction("ConsentRegistry", contracts.consentRegistry, transferData, "transferSubjects", {
          fromCustodian: 2,
          toCustodian: 1,
          fromSubjects: [S.s3, S.s2],
          toSubjects: [S.t3, S.t2],
          documentHash: doc("transfer"),
        }),
        async () => [
          {
            event: "ConsentRevoked",
            actor: consortiumAddress,
            fields: {
              subject: S.s3,
              custodian: 2,
              actor: consortiumAddress,
              version: 2,
              documentHash: doc("transfer"),
            },
          },
          granted(S.t3, 1, consortiumAddress, 1, doc("transfer")),
          {
            event: "PatientKeyChanged",
            actor: consortiumAddress,
            fields: {
              subject: S.t3,
              custodian: 1,
              key: patient,
              actor: consortiumAddress,
              previousKey: ZeroAddress,
            },
          },
          {
            event: "SubjectTransferred",
            actor: null,
            fields: { fromSubject: S.s3, fromCustodian: 2, toCustodian: 1, toSubject: S.t3 },
          },
          {
            event: "SubjectTransferSkipped",
            actor: null,
            fields: {
              fromSubject: S.s2,
              fromCustodian: 2,
              toCustodian: 1,
              toSubject: S.t2,
              reason: registryIface.getError("ConsentRegistryNotActive")?.selector,
              reasonName: "ConsentRegistryNotActive",
            },
          },
        ],
        custodian2,
      ),
    ),
  );

  const cancelled = background(
    paramsCall.then(async () => {
      const created = await lane(admin4)(() =>
        consortium(admin4).proposeRemoveOrganisation(DEV_ORG.regulator),
      );
      const proposal = await views.proposal(created.proposalId);
      step("cancel: proposed", created, [
        {
          event: "ProposalCreated",
          actor: admin4.address,
          fields: {
            proposalId: created.proposalId.toString(),
            hospitalId: 4,
            proposer: admin4.address,
            kind: "removeOrganisation",
            payload: proposal.payload,
            executableFrom: proposal.executableFrom.toString(),
            expiresAt: proposal.expiresAt.toString(),
            action: { kind: "removeOrganisation", orgId: DEV_ORG.regulator },
          },
        },
        {
          event: "Voted",
          actor: admin4.address,
          fields: {
            proposalId: created.proposalId.toString(),
            hospitalId: 4,
            voter: admin4.address,
          },
        },
      ]);
      const tx = await lane(admin4)(() => consortium(admin4).cancel(created.proposalId));
      step("cancel", tx, [
        {
          event: "ProposalCancelled",
          actor: admin4.address,
          fields: { proposalId: created.proposalId.toString(), canceller: admin4.address },
        },
      ]);
    }),
  );

  // ---- site trail ----------------------------------------------------------------------
  const siteTrail = background(
    (async () => {
      for (const sequence of [4n, 9n]) {
        const head = doc(`site-trail-${sequence}`);
        const tx = await lane(rec3)(() => ledger(rec3).anchorSiteTrail(3, sequence, head));
        step(`site trail ${sequence}`, tx, [
          {
            event: "SiteTrailAnchored",
            actor: rec3.address,
            fields: { hospitalId: 3, recorder: rec3.address, sequence: String(sequence), head },
          },
        ]);
      }
    })(),
  );

  await Promise.all([
    siteTrail,
    custodian1,
    custodian2,
    custodian3,
    closeQ2,
    closeQ1,
    selfManagement,
    organisationLifecycle,
    validatorChange,
    approvalsCall,
    paramsCall,
    transfer,
    cancelled,
  ]);
  steps.sort((a, b) => a.blockNumber - b.blockNumber);
  return {
    steps,
    queries: { q1: q1.queryId.toString(), q2: q2.queryId.toString() },
    researcher: researcher.address,
    patient,
    epsilon,
    limit,
  };
}
