import { Interface, id, ZeroAddress } from "ethers";
import { describe, expect, it } from "vitest";
import type { Bytes32 } from "../../src/consent/index.ts";
import { ledgerContracts } from "../../src/ledger/index.ts";
import { connectLedger, expectLedgerError, ORG } from "./ledgerFixture.ts";

const env = await connectLedger();
const { accounts } = env;

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe("createConsortiumClient", () => {
  it("reads membership with typed records and pages organisations", async () => {
    const stack = await env.deploy();
    const reader = stack.consortium(env.ethers.provider);
    expect(await reader.organisationCount()).toBe(5);
    expect(await reader.hospitalCount()).toBe(2);
    expect(await reader.organisation(ORG.hospitalA)).toEqual({
      id: ORG.hospitalA,
      role: "hospital",
      active: true,
      metadata: id("Hospital A"),
      validator: (await env.ethers.getSigners())[15]?.address,
      accountCount: 1,
      recorderCount: 1,
    });
    expect((await reader.organisation(ORG.researcher)).validator).toBeNull();
    const orgs = await collect(reader.organisations({ pageSize: 2 }));
    expect(orgs.map((o) => [o.id, o.role])).toEqual([
      [1, "hospital"],
      [2, "hospital"],
      [3, "researcher"],
      [4, "reviewBoard"],
      [5, "regulator"],
    ]);
    expect(await reader.accountsOf(ORG.hospitalB)).toEqual([accounts.hospitalB.address]);
    expect(await reader.recordersOf(ORG.hospitalA)).toEqual([accounts.recorderA.address]);
    expect(await reader.organisationOf(accounts.researcher.address)).toBe(ORG.researcher);
    expect(await reader.organisationOf(accounts.recorderA.address)).toBe(ORG.hospitalA);
    expect(await reader.organisationOf(accounts.outsider.address)).toBe(0);
    expect(await reader.roleOf(ORG.reviewBoard)).toBe("reviewBoard");
    expect(await reader.hasRole("regulator", accounts.regulator.address)).toBe(true);
    expect(await reader.hasRole("hospital", accounts.regulator.address)).toBe(false);
    expect(await reader.isMember(accounts.outsider.address)).toBe(false);
    expect(await reader.isRecorder(ORG.hospitalA, accounts.recorderA.address)).toBe(true);
    // Admin accounts and recorders are disjoint.
    expect(await reader.isRecorder(ORG.hospitalA, accounts.hospitalA.address)).toBe(false);
    expect(await reader.isAdmin(ORG.hospitalA, accounts.hospitalA.address)).toBe(true);
    expect(await reader.isAdmin(ORG.hospitalA, accounts.recorderA.address)).toBe(false);
    expect(await reader.isAdmin(ORG.hospitalB, accounts.hospitalA.address)).toBe(false);
    expect(await reader.hasRole("hospital", accounts.recorderA.address)).toBe(true);
    expect(await reader.bindingOf(accounts.hospitalA.address)).toEqual({
      orgId: ORG.hospitalA,
      capacity: "admin",
    });
    expect(await reader.bindingOf(accounts.recorderB.address)).toEqual({
      orgId: ORG.hospitalB,
      capacity: "recorder",
    });
    expect(await reader.bindingOf(accounts.outsider.address)).toEqual({
      orgId: 0,
      capacity: "none",
    });
    expect(await reader.roleCount("hospital")).toBe(2);
    expect(await reader.roleCount("reviewBoard")).toBe(1);
    expect(await reader.roleCount("regulator")).toBe(1);
    const validators = await reader.validators();
    expect(validators).toHaveLength(2);
    expect(await reader.validatorsAt(0)).toEqual(validators);
    expect(await reader.executionDelay()).toBe(1n);
    expect(await reader.votingPeriod()).toBe(100n);
    await expectLedgerError(reader.organisation(99), "LEDGER_NOT_FOUND", {
      error: "ConsortiumUnknownOrganisation",
      args: { orgId: "99" },
    });
  });

  it("manages admin accounts and recorders of the caller's organisation; removal retires", async () => {
    const stack = await env.deploy();
    const hospital = stack.consortium(accounts.hospitalA);
    const added = await hospital.addRecorder(accounts.spareRecorder.address);
    expect(added.events.map((e) => e.name)).toEqual(["RecorderAdded"]);
    expect(await hospital.isRecorder(ORG.hospitalA, accounts.spareRecorder.address)).toBe(true);
    expect(await hospital.isAdmin(ORG.hospitalA, accounts.spareRecorder.address)).toBe(false);
    await hospital.removeRecorder(accounts.spareRecorder.address);
    expect(await hospital.bindingOf(accounts.spareRecorder.address)).toEqual({
      orgId: ORG.hospitalA,
      capacity: "retired",
    });
    expect(await hospital.isMember(accounts.spareRecorder.address)).toBe(false);
    expect(await hospital.organisationOf(accounts.spareRecorder.address)).toBe(0);
    // A retired address never comes back, in any capacity or organisation.
    await expectLedgerError(
      hospital.addAccount(accounts.spareRecorder.address),
      "LEDGER_CONFLICT",
      {
        error: "ConsortiumAccountTaken",
        args: { account: accounts.spareRecorder.address, orgId: String(ORG.hospitalA) },
      },
    );
    await hospital.addAccount(accounts.spare.address);
    expect(await hospital.isAdmin(ORG.hospitalA, accounts.spare.address)).toBe(true);
    await hospital.removeAccount(accounts.spare.address);
    expect(await hospital.bindingOf(accounts.spare.address)).toEqual({
      orgId: ORG.hospitalA,
      capacity: "retired",
    });
    await expectLedgerError(
      stack.consortium(accounts.hospitalB).addRecorder(accounts.spare.address),
      "LEDGER_CONFLICT",
      { error: "ConsortiumAccountTaken" },
    );
    await hospital.setMetadata(id("A v2") as Bytes32);
    expect((await hospital.organisation(ORG.hospitalA)).metadata).toBe(id("A v2"));
    // A recorder records and nothing else: it cannot manage its hospital.
    const recorder = stack.consortium(accounts.recorderA);
    await expectLedgerError(recorder.addAccount(accounts.delegate.address), "MEMBERSHIP_DENIED", {
      error: "ConsortiumNotAdmin",
      args: { account: accounts.recorderA.address },
    });
    await expectLedgerError(
      recorder.removeAccount(accounts.hospitalA.address),
      "MEMBERSHIP_DENIED",
      { error: "ConsortiumNotAdmin" },
    );
    await expectLedgerError(recorder.setMetadata(id("x") as Bytes32), "MEMBERSHIP_DENIED", {
      error: "ConsortiumNotAdmin",
    });
    await expectLedgerError(
      stack.consortium(accounts.outsider).addAccount(accounts.delegate.address),
      "MEMBERSHIP_DENIED",
      {
        error: "ConsortiumNotAdmin",
        args: { account: accounts.outsider.address },
      },
    );
    await expectLedgerError(hospital.addAccount(ZeroAddress), "LEDGER_INVALID_INPUT", {
      error: "ConsortiumZeroAddress",
    });
    await expectLedgerError(hospital.addAccount(accounts.hospitalB.address), "LEDGER_CONFLICT", {
      error: "ConsortiumAccountTaken",
      args: { account: accounts.hospitalB.address, orgId: String(ORG.hospitalB) },
    });
  });

  it("proposes, votes, executes and cancels; pages proposals", async () => {
    const stack = await env.deploy();
    const a = stack.consortium(accounts.hospitalA);
    const b = stack.consortium(accounts.hospitalB);
    const newValidator = (await env.ethers.getSigners())[17]?.address ?? "";
    await expectLedgerError(
      a.proposeAddOrganisation({
        role: "hospital",
        metadata: id("Hospital C") as Bytes32,
        accounts: [accounts.spare.address],
        recorders: [accounts.spare.address],
        validator: newValidator,
      }),
      "LEDGER_INVALID_INPUT",
      { error: "ConsortiumRecorderIsAdmin", args: { recorder: accounts.spare.address } },
    );
    await expectLedgerError(
      stack.consortium(accounts.recorderA).proposeRemoveOrganisation(ORG.regulator),
      "MEMBERSHIP_DENIED",
      { error: "ConsortiumNotHospitalAdmin", args: { account: accounts.recorderA.address } },
    );
    const proposal = await a.proposeAddOrganisation({
      role: "hospital",
      metadata: id("Hospital C") as Bytes32,
      accounts: [accounts.spare.address],
      recorders: [accounts.spareRecorder.address],
      validator: newValidator,
    });
    expect(proposal.proposalId).toBe(1n);
    expect(proposal.events.map((e) => e.name)).toEqual(["ProposalCreated", "Voted"]);
    await expectLedgerError(a.execute(1n), "LEDGER_CONFLICT", {
      error: "ConsortiumMajorityNotReached",
      args: { proposalId: "1", votes: "1", hospitals: "2" },
    });
    await expectLedgerError(a.vote(1n), "LEDGER_CONFLICT", { error: "ConsortiumAlreadyVoted" });
    await expectLedgerError(stack.consortium(accounts.researcher).vote(1n), "MEMBERSHIP_DENIED", {
      error: "ConsortiumNotHospitalAdmin",
    });
    await expectLedgerError(stack.consortium(accounts.recorderB).vote(1n), "MEMBERSHIP_DENIED", {
      error: "ConsortiumNotHospitalAdmin",
      args: { account: accounts.recorderB.address },
    });
    await b.vote(1n);
    expect(await a.votersOf(1n)).toEqual([ORG.hospitalA, ORG.hospitalB]);
    expect(await a.hasVoted(1n, ORG.hospitalB)).toBe(true);
    expect(await a.proposalState(1n)).toBe("open");
    const executed = await stack.consortium(accounts.outsider).execute(1n);
    expect(executed.events[0]?.name).toBe("ProposalExecuted");
    expect(await a.organisationCount()).toBe(6);
    expect(await a.roleOf(6)).toBe("hospital");
    expect(await a.roleCount("hospital")).toBe(3);
    expect(await a.bindingOf(accounts.spareRecorder.address)).toEqual({
      orgId: 6,
      capacity: "recorder",
    });
    expect(await a.proposalState(1n)).toBe("executed");

    const removal = await a.proposeRemoveOrganisation(ORG.regulator);
    await expectLedgerError(b.cancel(removal.proposalId), "MEMBERSHIP_DENIED", {
      error: "ConsortiumNotProposer",
    });
    await a.cancel(removal.proposalId);
    const roleChange = await b.proposeChangeRole(ORG.regulator, "researcher");
    const validatorChange = await b.proposeSetValidator(ORG.hospitalB, accounts.delegate.address);
    expect([roleChange.proposalId, validatorChange.proposalId]).toEqual([3n, 4n]);

    // Read in the block after proposal 4: proposal 3's one-block delay is over, 4's is not.
    const all = await collect(a.proposals({ pageSize: 3 }));
    expect(await a.proposalCount()).toBe(4n);
    expect(all.map((p) => [p.id, p.kind, p.state])).toEqual([
      [1n, "addOrganisation", "executed"],
      [2n, "removeOrganisation", "cancelled"],
      [3n, "changeRole", "open"],
      [4n, "setValidator", "pending"],
    ]);
    expect(all[0]).toMatchObject({
      hospitalId: ORG.hospitalA,
      proposer: accounts.hospitalA.address,
      votes: 2,
    });
    await expectLedgerError(a.proposal(9n), "LEDGER_NOT_FOUND", {
      error: "ConsortiumUnknownProposal",
    });
  });

  it("decodes the inner error of a failed governance call", async () => {
    const stack = await env.deploy();
    const a = stack.consortium(accounts.hospitalA);
    const data = new Interface(ledgerContracts.AccessLedger.iface.fragments).encodeFunctionData(
      "setRequiredApprovals",
      [0],
    ) as `0x${string}`;
    const { proposalId } = await a.proposeCall(stack.addresses.ledger, data);
    await stack.consortium(accounts.hospitalB).vote(proposalId);
    const failed = await expectLedgerError(a.execute(proposalId), "LEDGER_CONTRACT_REVERTED", {
      error: "ConsortiumCallFailed",
      reason: "AccessLedgerInvalidRequiredApprovals",
    });
    expect(failed.details).toMatchObject({
      contract: "Consortium",
      args: { proposalId: "1", target: stack.addresses.ledger },
      reasonArgs: { value: "0", reviewBoards: "1" },
    });
  });

  it("reports a proposal executed too early as a conflict", async () => {
    const stack = await env.deploy({ executionDelay: 10, votingPeriod: 50 });
    const a = stack.consortium(accounts.hospitalA);
    const { proposalId } = await a.proposeRemoveOrganisation(ORG.regulator);
    await expectLedgerError(a.execute(proposalId), "LEDGER_CONFLICT", {
      error: "ConsortiumProposalTooEarly",
    });
  });

  it("pages consortium events in chain order", async () => {
    const stack = await env.deploy();
    const a = stack.consortium(accounts.hospitalA);
    const deployBlock = 0;
    const hashes: string[] = [];
    for (let i = 0; i < 5; i++) {
      hashes.push((await a.setMetadata(id(`m${i}`) as Bytes32)).hash);
    }
    const reader = stack.consortium(env.ethers.provider);
    const events = await collect(reader.consortiumEvents({ fromBlock: deployBlock, pageSize: 3 }));
    const metadata = events.filter((e) => e.name === "MetadataUpdated");
    expect(metadata.map((e) => e.transactionHash)).toEqual(hashes);
    expect(events.filter((e) => e.name === "OrganisationAdded")).toHaveLength(5);
    expect(events[0]?.name).toBe("GovernanceParametersChanged");
    const whole = await collect(reader.consortiumEvents({ pageSize: 100_000 }));
    expect(whole).toEqual(events);
  });
});
