import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { BaseContract, type Contract, type ContractTransactionReceipt, getAddress } from "ethers";
import hre from "hardhat";
import { beforeEach, describe, expect, it } from "vitest";
import { expectCustomError } from "./expectCustomError.ts";

const { ethers } = await hre.network.connect();

const Role = { None: 0n, Hospital: 1n, Regulator: 2n, Researcher: 3n, ReviewBoard: 4n } as const;
const Kind = {
  AddOrganisation: 0n,
  RemoveOrganisation: 1n,
  ChangeRole: 2n,
  SetValidator: 3n,
  Call: 4n,
} as const;
const State = { Pending: 0n, Open: 1n, Expired: 2n, Executed: 3n, Cancelled: 4n } as const;

const DELAY = 5n;
const PERIOD = 20n;
const ZERO = ethers.ZeroAddress;

const addr = (byte: string): string => getAddress(`0x${byte.repeat(20)}`);
/** Validators of hospitals 1..4, deliberately not in address order. */
const V1 = addr("44");
const V2 = addr("22");
const V3 = addr("33");
const V4 = addr("11");
const V_NEW = addr("2a");
const meta = (n: number): string => ethers.zeroPadValue(ethers.toBeHex(n), 32);

const sorted = (list: readonly string[]): string[] =>
  [...list].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));

interface Init {
  role: bigint;
  metadata: string;
  accounts: string[];
  recorders: string[];
  validator: string;
}

const signers = await ethers.getSigners();
function signer(index: number): HardhatEthersSigner {
  const s = signers[index];
  if (s === undefined) throw new Error(`no signer ${index}`);
  return s;
}
const outsider = signer(0);
const h1 = signer(1);
const h1Recorder = signer(2);
const h2 = signer(3);
const h3 = signer(4);
const h4 = signer(5);
const regulator = signer(6);
const researcher = signer(7);
const reviewBoard = signer(8);
const free = [signer(9), signer(10), signer(11), signer(12), signer(13)] as const;

const H1 = 1n;
const H2 = 2n;
const H3 = 3n;
const H4 = 4n;
const REG = 5n;
const RES = 6n;
const RB = 7n;

const hospital = (accounts: string[], validator: string, recorders: string[] = []): Init => ({
  role: Role.Hospital,
  metadata: meta(accounts.length),
  accounts,
  recorders,
  validator,
});
const nonHospital = (role: bigint, accounts: string[]): Init => ({
  role,
  metadata: meta(100 + Number(role)),
  accounts,
  recorders: [],
  validator: ZERO,
});

function networkInits(): Init[] {
  return [
    hospital([h1.address, h1Recorder.address], V1, [h1Recorder.address]),
    hospital([h2.address], V2),
    hospital([h3.address], V3),
    hospital([h4.address], V4),
    nonHospital(Role.Regulator, [regulator.address]),
    nonHospital(Role.Researcher, [researcher.address]),
    nonHospital(Role.ReviewBoard, [reviewBoard.address]),
  ];
}

async function deploy(
  inits: Init[] = networkInits(),
  delay: bigint = DELAY,
  period: bigint = PERIOD,
): Promise<Contract> {
  return ethers.deployContract("Consortium", [inits, delay, period]);
}

let c: Contract;

function fn(name: string, as?: HardhatEthersSigner) {
  return (as === undefined ? c : c.connect(as)).getFunction(name);
}

async function send(
  as: HardhatEthersSigner,
  name: string,
  ...args: unknown[]
): Promise<ContractTransactionReceipt> {
  const tx = await fn(name, as)(...args);
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("no receipt");
  return receipt;
}

async function read<T>(name: string, ...args: unknown[]): Promise<T> {
  return (await fn(name)(...args)) as T;
}

/** Decoded args (deep arrays) of the consortium's events `name` in `receipt`, in log order. */
function events(receipt: ContractTransactionReceipt, name: string): unknown[][] {
  const out: unknown[][] = [];
  for (const log of receipt.logs) {
    if (log.address !== c.target) continue;
    const parsed = c.interface.parseLog(log);
    if (parsed?.name === name) out.push(parsed.args.toArray(true));
  }
  return out;
}

function eventNames(receipt: ContractTransactionReceipt): string[] {
  return receipt.logs
    .filter((log) => log.address === c.target)
    .map((log) => c.interface.parseLog(log)?.name ?? "?");
}

async function blockNumber(): Promise<bigint> {
  return BigInt(await ethers.provider.getBlockNumber());
}

/** Mines so that the next transaction is included in block `target`. */
async function nextTxInBlock(target: bigint): Promise<void> {
  const gap = target - 1n - (await blockNumber());
  if (gap > 0n) await ethers.provider.send("hardhat_mine", [ethers.toQuantity(gap)]);
}

async function propose(
  as: HardhatEthersSigner,
  name: string,
  ...args: unknown[]
): Promise<{ id: bigint; receipt: ContractTransactionReceipt }> {
  const receipt = await send(as, name, ...args);
  const created = events(receipt, "ProposalCreated")[0];
  if (created === undefined) throw new Error("no ProposalCreated");
  return { id: created[0] as bigint, receipt };
}

/** Proposes as h1, votes with `voters`, waits for the delay and executes. */
async function enact(
  name: string,
  args: unknown[],
  voters: HardhatEthersSigner[] = [h2, h3],
): Promise<{ id: bigint; receipt: ContractTransactionReceipt }> {
  const { id } = await propose(h1, name, ...args);
  for (const voter of voters) await send(voter, "vote", id);
  const p = await read<{ executableFrom: bigint }>("proposal", id);
  await nextTxInBlock(p.executableFrom);
  return { id, receipt: await send(outsider, "execute", id) };
}

describe("Consortium bootstrap", () => {
  it("registers the initial organisations, accounts, recorders and validators", async () => {
    c = await deploy();
    expect(await read("organisationCount")).toBe(7n);
    expect(await read("hospitalCount")).toBe(4n);
    expect(await read("executionDelay")).toBe(DELAY);
    expect(await read("votingPeriod")).toBe(PERIOD);
    const org = await read<{ toObject(): Record<string, unknown> }>("organisation", H1);
    expect(org.toObject()).toEqual({
      role: Role.Hospital,
      active: true,
      metadata: meta(2),
      validator: V1,
      accountCount: 2n,
      recorderCount: 1n,
    });
    expect(await read("accountsOf", H1)).toEqual([h1.address, h1Recorder.address]);
    expect(await read("recordersOf", H1)).toEqual([h1Recorder.address]);
    expect(await read("recordersOf", REG)).toEqual([]);
    expect(await read("organisationOf", reviewBoard.address)).toBe(RB);
    expect(await read("roleOf", RES)).toBe(Role.Researcher);
    expect(await read("hospitalOfValidator", V3)).toBe(H3);
    expect(await read("hospitalOfValidator", V_NEW)).toBe(0n);
  });

  it("puts the sorted initial validator set in force from block 0", async () => {
    c = await deploy();
    const expected = sorted([V1, V2, V3, V4]);
    expect(await read("validatorsAt", 0n)).toEqual(expected);
    expect(await read("validators")).toEqual(expected);
    expect(await read("checkpointCount")).toBe(1n);
    const cp = await read<{ toObject(deep: boolean): unknown }>("checkpoint", 0n);
    expect(cp.toObject(true)).toEqual({ fromBlock: 0n, validators: expected });
    await expectCustomError(read("checkpoint", 1n), c, "ConsortiumUnknownCheckpoint", [1n, 1n]);
    expect(await read("VALIDATOR_SET_DELAY")).toBe(2n);
    expect(await read("MAX_VOTING_PERIOD")).toBe(2n ** 32n - 1n);
  });

  it("emits the bootstrap events", async () => {
    c = await deploy([
      hospital([h1.address, h1Recorder.address], V1, [h1Recorder.address]),
      nonHospital(Role.Regulator, [regulator.address]),
    ]);
    const receipt = await c.deploymentTransaction()?.wait();
    if (receipt === null || receipt === undefined) throw new Error("no deployment receipt");
    expect(eventNames(receipt)).toEqual([
      "GovernanceParametersChanged",
      "OrganisationAdded",
      "AccountAdded",
      "AccountAdded",
      "RecorderAdded",
      "ValidatorChanged",
      "OrganisationAdded",
      "AccountAdded",
      "ValidatorSetScheduled",
    ]);
    expect(events(receipt, "GovernanceParametersChanged")).toEqual([[DELAY, PERIOD]]);
    expect(events(receipt, "OrganisationAdded")).toEqual([
      [H1, Role.Hospital, meta(2)],
      [2n, Role.Regulator, meta(102)],
    ]);
    expect(events(receipt, "AccountAdded")).toEqual([
      [H1, h1.address],
      [H1, h1Recorder.address],
      [2n, regulator.address],
    ]);
    expect(events(receipt, "RecorderAdded")).toEqual([[H1, h1Recorder.address]]);
    expect(events(receipt, "ValidatorChanged")).toEqual([[H1, ZERO, V1]]);
    expect(events(receipt, "ValidatorSetScheduled")).toEqual([[0n, [V1]]]);
  });

  describe("reverts", () => {
    let iface: BaseContract;
    beforeEach(async () => {
      const factory = await ethers.getContractFactory("Consortium");
      iface = new BaseContract(ZERO, factory.interface);
    });
    const h = (): Init => hospital([h1.address], V1);

    it("on invalid governance parameters", async () => {
      for (const [delay, period] of [
        [0n, 0n],
        [6n, 5n],
        [0n, 2n ** 32n],
      ] as const) {
        await expectCustomError(
          deploy([h()], delay, period),
          iface,
          "ConsortiumInvalidGovernanceParameters",
          [delay, period],
        );
      }
    });

    it("without a hospital", async () => {
      await expectCustomError(
        deploy([nonHospital(Role.Regulator, [regulator.address])]),
        iface,
        "ConsortiumNoHospital",
        [],
      );
      await expectCustomError(deploy([]), iface, "ConsortiumNoHospital", []);
    });

    it("on Role.None", async () => {
      await expectCustomError(
        deploy([h(), nonHospital(Role.None, [regulator.address])]),
        iface,
        "ConsortiumInvalidRole",
        [Role.None],
      );
    });

    it("on an organisation without accounts", async () => {
      await expectCustomError(deploy([hospital([], V1)]), iface, "ConsortiumNoAccounts", []);
    });

    it("on a zero account or zero validator", async () => {
      await expectCustomError(deploy([hospital([ZERO], V1)]), iface, "ConsortiumZeroAddress", []);
      await expectCustomError(
        deploy([hospital([h1.address], ZERO)]),
        iface,
        "ConsortiumZeroAddress",
        [],
      );
    });

    it("on duplicate accounts or recorders", async () => {
      await expectCustomError(
        deploy([hospital([h1.address, h2.address, h1.address], V1)]),
        iface,
        "ConsortiumDuplicateAddress",
        [h1.address],
      );
      await expectCustomError(
        deploy([hospital([h1.address, h2.address], V1, [h2.address, h2.address])]),
        iface,
        "ConsortiumDuplicateAddress",
        [h2.address],
      );
    });

    it("on an account given to two organisations", async () => {
      await expectCustomError(
        deploy([h(), nonHospital(Role.Researcher, [researcher.address, h1.address])]),
        iface,
        "ConsortiumAccountTaken",
        [h1.address, 1n],
      );
    });

    it("on recorders or a validator for a non-hospital", async () => {
      await expectCustomError(
        deploy([h(), { ...nonHospital(Role.Regulator, [regulator.address]), validator: V2 }]),
        iface,
        "ConsortiumHospitalOnlyFields",
        [Role.Regulator],
      );
      await expectCustomError(
        deploy([
          h(),
          {
            ...nonHospital(Role.Researcher, [researcher.address]),
            recorders: [researcher.address],
          },
        ]),
        iface,
        "ConsortiumHospitalOnlyFields",
        [Role.Researcher],
      );
    });

    it("on a recorder that is not an account", async () => {
      await expectCustomError(
        deploy([hospital([h1.address], V1, [h1Recorder.address])]),
        iface,
        "ConsortiumRecorderNotAccount",
        [h1Recorder.address],
      );
    });

    it("on two hospitals with one validator", async () => {
      await expectCustomError(
        deploy([h(), hospital([h2.address], V1)]),
        iface,
        "ConsortiumValidatorTaken",
        [V1, 1n],
      );
    });
  });
});

describe("Consortium membership reads", () => {
  beforeEach(async () => {
    c = await deploy();
  });

  it("answers for members, non-members and each role", async () => {
    expect(await read("isMember", h1Recorder.address)).toBe(true);
    expect(await read("isMember", outsider.address)).toBe(false);
    expect(await read("organisationOf", outsider.address)).toBe(0n);
    expect(await read("hasRole", Role.Hospital, h2.address)).toBe(true);
    expect(await read("hasRole", Role.Regulator, h2.address)).toBe(false);
    expect(await read("hasRole", Role.Regulator, regulator.address)).toBe(true);
    expect(await read("hasRole", Role.None, outsider.address)).toBe(false);
    expect(await read("hasRole", Role.None, h1.address)).toBe(false);
    expect(await read("isRecorder", H1, h1Recorder.address)).toBe(true);
    expect(await read("isRecorder", H1, h1.address)).toBe(false);
    expect(await read("isRecorder", H2, h1Recorder.address)).toBe(false);
    expect(await read("roleOf", 0n)).toBe(Role.None);
    expect(await read("roleOf", 99n)).toBe(Role.None);
  });

  it("reverts the organisation getters for unknown ids", async () => {
    for (const id of [0n, 8n]) {
      await expectCustomError(read("organisation", id), c, "ConsortiumUnknownOrganisation", [id]);
      await expectCustomError(read("accountsOf", id), c, "ConsortiumUnknownOrganisation", [id]);
      await expectCustomError(read("recordersOf", id), c, "ConsortiumUnknownOrganisation", [id]);
    }
  });

  it("answers nothing for a removed organisation at once, keeping its record", async () => {
    await enact("proposeRemoveOrganisation", [H1]);
    expect(await read("isMember", h1.address)).toBe(false);
    expect(await read("organisationOf", h1Recorder.address)).toBe(0n);
    expect(await read("roleOf", H1)).toBe(Role.None);
    expect(await read("hasRole", Role.Hospital, h1.address)).toBe(false);
    expect(await read("isRecorder", H1, h1Recorder.address)).toBe(false);
    expect(await read("hospitalCount")).toBe(3n);
    expect(await read("hospitalOfValidator", V1)).toBe(0n);
    const org = await read<{ role: bigint; active: boolean; validator: string }>(
      "organisation",
      H1,
    );
    expect([org.role, org.active, org.validator]).toEqual([Role.Hospital, false, V1]);
    expect(await read("accountsOf", H1)).toEqual([h1.address, h1Recorder.address]);
  });
});

describe("Consortium self-management", () => {
  beforeEach(async () => {
    c = await deploy();
  });

  it("addAccount adds a free account to the caller's organisation", async () => {
    const receipt = await send(regulator, "addAccount", free[0].address);
    expect(events(receipt, "AccountAdded")).toEqual([[REG, free[0].address]]);
    expect(await read("organisationOf", free[0].address)).toBe(REG);
    expect(await read("hasRole", Role.Regulator, free[0].address)).toBe(true);
    await send(free[0], "addAccount", free[1].address);
    expect(await read("accountsOf", REG)).toEqual([
      regulator.address,
      free[0].address,
      free[1].address,
    ]);
  });

  it("addAccount reverts for non-members, zero and taken accounts", async () => {
    await expectCustomError(fn("addAccount", outsider)(free[0].address), c, "ConsortiumNotMember", [
      outsider.address,
    ]);
    await expectCustomError(fn("addAccount", h1)(ZERO), c, "ConsortiumZeroAddress", []);
    await expectCustomError(fn("addAccount", h1)(h2.address), c, "ConsortiumAccountTaken", [
      h2.address,
      H2,
    ]);
    await expectCustomError(fn("addAccount", h1)(h1.address), c, "ConsortiumAccountTaken", [
      h1.address,
      H1,
    ]);
  });

  it("a removed organisation's accounts can neither act nor join another one", async () => {
    await enact("proposeRemoveOrganisation", [RES]);
    await expectCustomError(
      fn("addAccount", researcher)(free[0].address),
      c,
      "ConsortiumNotMember",
      [researcher.address],
    );
    await expectCustomError(
      fn("addAccount", regulator)(researcher.address),
      c,
      "ConsortiumAccountTaken",
      [researcher.address, RES],
    );
  });

  it("removeAccount removes and frees an account, recorder status included", async () => {
    const receipt = await send(h1, "removeAccount", h1Recorder.address);
    expect(eventNames(receipt)).toEqual(["RecorderRemoved", "AccountRemoved"]);
    expect(events(receipt, "RecorderRemoved")).toEqual([[H1, h1Recorder.address]]);
    expect(events(receipt, "AccountRemoved")).toEqual([[H1, h1Recorder.address]]);
    expect(await read("isMember", h1Recorder.address)).toBe(false);
    expect(await read("isRecorder", H1, h1Recorder.address)).toBe(false);
    expect(await read("recordersOf", H1)).toEqual([]);
    await send(regulator, "addAccount", h1Recorder.address);
    expect(await read("organisationOf", h1Recorder.address)).toBe(REG);
  });

  it("removeAccount lets an account remove itself", async () => {
    await send(regulator, "addAccount", free[0].address);
    const receipt = await send(regulator, "removeAccount", regulator.address);
    expect(eventNames(receipt)).toEqual(["AccountRemoved"]);
    expect(await read("accountsOf", REG)).toEqual([free[0].address]);
  });

  it("removeAccount reverts for non-members, foreign accounts and the last account", async () => {
    await expectCustomError(fn("removeAccount", outsider)(h1.address), c, "ConsortiumNotMember", [
      outsider.address,
    ]);
    await expectCustomError(fn("removeAccount", h1)(h2.address), c, "ConsortiumNotAccountOf", [
      H1,
      h2.address,
    ]);
    await expectCustomError(
      fn("removeAccount", h1)(outsider.address),
      c,
      "ConsortiumNotAccountOf",
      [H1, outsider.address],
    );
    await expectCustomError(
      fn("removeAccount", regulator)(regulator.address),
      c,
      "ConsortiumLastAccount",
      [REG, regulator.address],
    );
  });

  it("addRecorder promotes an own account or adds a free address as account and recorder", async () => {
    const own = await send(h1Recorder, "addRecorder", h1.address);
    expect(eventNames(own)).toEqual(["RecorderAdded"]);
    expect(events(own, "RecorderAdded")).toEqual([[H1, h1.address]]);
    const fresh = await send(h2, "addRecorder", free[0].address);
    expect(eventNames(fresh)).toEqual(["AccountAdded", "RecorderAdded"]);
    expect(events(fresh, "AccountAdded")).toEqual([[H2, free[0].address]]);
    expect(await read("isRecorder", H2, free[0].address)).toBe(true);
    expect(await read("organisationOf", free[0].address)).toBe(H2);
  });

  it("addRecorder reverts for non-members, non-hospitals, zero, taken and repeated recorders", async () => {
    await expectCustomError(
      fn("addRecorder", outsider)(free[0].address),
      c,
      "ConsortiumNotMember",
      [outsider.address],
    );
    await expectCustomError(
      fn("addRecorder", regulator)(free[0].address),
      c,
      "ConsortiumNotHospital",
      [REG],
    );
    await expectCustomError(fn("addRecorder", h1)(ZERO), c, "ConsortiumZeroAddress", []);
    await expectCustomError(fn("addRecorder", h1)(h2.address), c, "ConsortiumAccountTaken", [
      h2.address,
      H2,
    ]);
    await expectCustomError(
      fn("addRecorder", h1)(h1Recorder.address),
      c,
      "ConsortiumAlreadyRecorder",
      [H1, h1Recorder.address],
    );
  });

  it("removeRecorder keeps the account", async () => {
    const receipt = await send(h1, "removeRecorder", h1Recorder.address);
    expect(events(receipt, "RecorderRemoved")).toEqual([[H1, h1Recorder.address]]);
    expect(await read("isRecorder", H1, h1Recorder.address)).toBe(false);
    expect(await read("organisationOf", h1Recorder.address)).toBe(H1);
  });

  it("removeRecorder reverts for non-members, non-hospitals and non-recorders", async () => {
    await expectCustomError(
      fn("removeRecorder", outsider)(h1Recorder.address),
      c,
      "ConsortiumNotMember",
      [outsider.address],
    );
    await expectCustomError(
      fn("removeRecorder", researcher)(researcher.address),
      c,
      "ConsortiumNotHospital",
      [RES],
    );
    await expectCustomError(fn("removeRecorder", h1)(h1.address), c, "ConsortiumNotRecorder", [
      H1,
      h1.address,
    ]);
  });

  it("setMetadata replaces the caller's organisation's metadata hash", async () => {
    const receipt = await send(reviewBoard, "setMetadata", meta(7));
    expect(events(receipt, "MetadataUpdated")).toEqual([[RB, meta(7)]]);
    expect((await read<{ metadata: string }>("organisation", RB)).metadata).toBe(meta(7));
    await expectCustomError(fn("setMetadata", outsider)(meta(7)), c, "ConsortiumNotMember", [
      outsider.address,
    ]);
  });
});

describe("Consortium proposals", () => {
  beforeEach(async () => {
    c = await deploy();
  });

  it("proposing records the proposal and the proposing hospital's vote", async () => {
    const before = await blockNumber();
    const { id, receipt } = await propose(h1Recorder, "proposeRemoveOrganisation", RES);
    const created = before + 1n;
    const payload = ethers.AbiCoder.defaultAbiCoder().encode(["uint32"], [RES]);
    expect(id).toBe(1n);
    expect(eventNames(receipt)).toEqual(["ProposalCreated", "Voted"]);
    expect(events(receipt, "ProposalCreated")).toEqual([
      [
        1n,
        H1,
        h1Recorder.address,
        Kind.RemoveOrganisation,
        payload,
        created + DELAY,
        created + PERIOD,
      ],
    ]);
    expect(events(receipt, "Voted")).toEqual([[1n, H1, h1Recorder.address]]);
    const p = await read<{ toObject(): Record<string, unknown> }>("proposal", id);
    expect(p.toObject()).toEqual({
      kind: Kind.RemoveOrganisation,
      state: State.Pending,
      hospitalId: H1,
      proposer: h1Recorder.address,
      createdBlock: created,
      executableFrom: created + DELAY,
      expiresAt: created + PERIOD,
      votes: 1n,
      payload,
    });
    expect(await read("proposalCount")).toBe(1n);
    expect(await read("hasVoted", id, H1)).toBe(true);
    expect(await read("hasVoted", id, H2)).toBe(false);
    expect(await read("votersOf", id)).toEqual([H1]);
  });

  it("only hospital accounts may propose", async () => {
    for (const who of [outsider, regulator, researcher]) {
      await expectCustomError(
        fn("proposeRemoveOrganisation", who)(RES),
        c,
        "ConsortiumNotHospitalAccount",
        [who.address],
      );
    }
    await enact("proposeRemoveOrganisation", [H4]);
    await expectCustomError(
      fn("proposeRemoveOrganisation", h4)(RES),
      c,
      "ConsortiumNotHospitalAccount",
      [h4.address],
    );
  });

  it("the proposal getters revert for unknown ids", async () => {
    for (const id of [0n, 1n]) {
      await expectCustomError(read("proposal", id), c, "ConsortiumUnknownProposal", [id]);
      await expectCustomError(read("proposalState", id), c, "ConsortiumUnknownProposal", [id]);
      await expectCustomError(read("votersOf", id), c, "ConsortiumUnknownProposal", [id]);
    }
  });

  describe("AddOrganisation", () => {
    const newHospital = (): Init =>
      hospital([free[0].address, free[1].address], V_NEW, [free[1].address]);

    it("adds a hospital whose validator joins the set at H + 2", async () => {
      const { receipt } = await enact("proposeAddOrganisation", [newHospital()]);
      const executed = BigInt(receipt.blockNumber);
      expect(eventNames(receipt)).toEqual([
        "ProposalExecuted",
        "OrganisationAdded",
        "AccountAdded",
        "AccountAdded",
        "RecorderAdded",
        "ValidatorChanged",
        "ValidatorSetScheduled",
      ]);
      expect(events(receipt, "ProposalExecuted")).toEqual([[1n, outsider.address]]);
      expect(events(receipt, "OrganisationAdded")).toEqual([[8n, Role.Hospital, meta(2)]]);
      expect(events(receipt, "ValidatorChanged")).toEqual([[8n, ZERO, V_NEW]]);
      const next = sorted([V1, V2, V3, V4, V_NEW]);
      expect(events(receipt, "ValidatorSetScheduled")).toEqual([[executed + 2n, next]]);
      expect(await read("hospitalCount")).toBe(5n);
      expect(await read("isRecorder", 8n, free[1].address)).toBe(true);
      expect(await read("hasRole", Role.Hospital, free[0].address)).toBe(true);
      const old = sorted([V1, V2, V3, V4]);
      expect(await read("validatorsAt", executed)).toEqual(old);
      expect(await read("validatorsAt", executed + 1n)).toEqual(old);
      expect(await read("validatorsAt", executed + 2n)).toEqual(next);
      expect(await read("validators")).toEqual(old);
      await ethers.provider.send("hardhat_mine", ["0x2"]);
      expect(await read("validators")).toEqual(next);
      expect(await read("proposalState", 1n)).toBe(State.Executed);
    });

    it("adds a non-hospital without touching the validator set", async () => {
      const { receipt } = await enact("proposeAddOrganisation", [
        nonHospital(Role.Researcher, [free[2].address]),
      ]);
      expect(events(receipt, "ValidatorSetScheduled")).toEqual([]);
      expect(await read("checkpointCount")).toBe(1n);
      expect(await read("roleOf", 8n)).toBe(Role.Researcher);
    });

    it("validates the organisation when proposed", async () => {
      const p = fn("proposeAddOrganisation", h1);
      await expectCustomError(
        p(nonHospital(Role.None, [free[0].address])),
        c,
        "ConsortiumInvalidRole",
        [Role.None],
      );
      await expectCustomError(p(hospital([], V_NEW)), c, "ConsortiumNoAccounts", []);
      await expectCustomError(p(hospital([ZERO], V_NEW)), c, "ConsortiumZeroAddress", []);
      await expectCustomError(p(hospital([free[0].address], ZERO)), c, "ConsortiumZeroAddress", []);
      await expectCustomError(
        p(hospital([free[0].address, free[0].address], V_NEW)),
        c,
        "ConsortiumDuplicateAddress",
        [free[0].address],
      );
      await expectCustomError(
        p(hospital([free[0].address, regulator.address], V_NEW)),
        c,
        "ConsortiumAccountTaken",
        [regulator.address, REG],
      );
      await expectCustomError(p(hospital([free[0].address], V2)), c, "ConsortiumValidatorTaken", [
        V2,
        H2,
      ]);
      await expectCustomError(
        p(hospital([free[0].address], V_NEW, [free[1].address])),
        c,
        "ConsortiumRecorderNotAccount",
        [free[1].address],
      );
      await expectCustomError(
        p({ ...nonHospital(Role.ReviewBoard, [free[0].address]), recorders: [free[0].address] }),
        c,
        "ConsortiumHospitalOnlyFields",
        [Role.ReviewBoard],
      );
      expect(await read("proposalCount")).toBe(0n);
    });

    it("revalidates at execution: an account taken meanwhile makes execution revert", async () => {
      const { id, receipt } = await propose(h1, "proposeAddOrganisation", newHospital());
      await send(h2, "vote", id);
      await send(h3, "vote", id);
      await send(regulator, "addAccount", free[1].address);
      await nextTxInBlock(BigInt(receipt.blockNumber) + DELAY);
      await expectCustomError(fn("execute")(id), c, "ConsortiumAccountTaken", [
        free[1].address,
        REG,
      ]);
      await ethers.provider.send("evm_mine", []);
      expect(await read("proposalState", id)).toBe(State.Open);
    });
  });

  describe("RemoveOrganisation", () => {
    it("removes a hospital, its validator leaving the set at H + 2", async () => {
      const { receipt } = await enact("proposeRemoveOrganisation", [H2]);
      const executed = BigInt(receipt.blockNumber);
      expect(eventNames(receipt)).toEqual([
        "ProposalExecuted",
        "OrganisationRemoved",
        "ValidatorSetScheduled",
      ]);
      expect(events(receipt, "OrganisationRemoved")).toEqual([[H2]]);
      const next = sorted([V1, V3, V4]);
      expect(events(receipt, "ValidatorSetScheduled")).toEqual([[executed + 2n, next]]);
      expect(await read("validatorsAt", executed + 1n)).toEqual(sorted([V1, V2, V3, V4]));
      expect(await read("validatorsAt", executed + 2n)).toEqual(next);
      expect(await read("hospitalCount")).toBe(3n);
    });

    it("a removed hospital's validator can be reused by another hospital", async () => {
      await enact("proposeRemoveOrganisation", [H2]);
      await enact("proposeSetValidator", [H3, V2], [h3, h4]);
      expect(await read("hospitalOfValidator", V2)).toBe(H3);
    });

    it("reverts for unknown and removed organisations", async () => {
      const p = fn("proposeRemoveOrganisation", h1);
      await expectCustomError(p(0n), c, "ConsortiumUnknownOrganisation", [0n]);
      await expectCustomError(p(8n), c, "ConsortiumUnknownOrganisation", [8n]);
      await enact("proposeRemoveOrganisation", [REG]);
      await expectCustomError(p(REG), c, "ConsortiumOrganisationRemoved", [REG]);
    });

    it("never removes the last hospital, at proposal or at execution", async () => {
      c = await deploy([
        hospital([h1.address], V1),
        nonHospital(Role.Regulator, [regulator.address]),
      ]);
      await expectCustomError(
        fn("proposeRemoveOrganisation", h1)(1n),
        c,
        "ConsortiumLastHospital",
        [1n],
      );
      c = await deploy([hospital([h1.address], V1), hospital([h2.address], V2)]);
      const first = await propose(h1, "proposeRemoveOrganisation", 1n);
      const second = await propose(h1, "proposeRemoveOrganisation", 2n);
      await send(h2, "vote", first.id);
      await send(h2, "vote", second.id);
      await nextTxInBlock(BigInt(first.receipt.blockNumber) + DELAY);
      const removed = await send(h2, "execute", first.id);
      await nextTxInBlock(BigInt(second.receipt.blockNumber) + DELAY);
      await expectCustomError(fn("execute")(second.id), c, "ConsortiumLastHospital", [2n]);
      expect(await read("validatorsAt", BigInt(removed.blockNumber) + 2n)).toEqual([V2]);
    });
  });

  describe("ChangeRole", () => {
    it("changes a non-hospital role", async () => {
      const { receipt } = await enact("proposeChangeRole", [RES, Role.ReviewBoard]);
      expect(events(receipt, "RoleChanged")).toEqual([[RES, Role.Researcher, Role.ReviewBoard]]);
      expect(await read("hasRole", Role.ReviewBoard, researcher.address)).toBe(true);
      expect(await read("hasRole", Role.Researcher, researcher.address)).toBe(false);
      expect(await read("checkpointCount")).toBe(1n);
    });

    it("reverts for None, unchanged, into or out of the hospital role, unknown and removed", async () => {
      const p = fn("proposeChangeRole", h1);
      const invalid = [
        [REG, Role.None, Role.Regulator],
        [REG, Role.Regulator, Role.Regulator],
        [REG, Role.Hospital, Role.Regulator],
        [H2, Role.Regulator, Role.Hospital],
      ] as const;
      for (const [id, to, from] of invalid) {
        await expectCustomError(p(id, to), c, "ConsortiumInvalidRoleChange", [id, from, to]);
      }
      await expectCustomError(p(9n, Role.Regulator), c, "ConsortiumUnknownOrganisation", [9n]);
      await enact("proposeRemoveOrganisation", [RB]);
      await expectCustomError(p(RB, Role.Regulator), c, "ConsortiumOrganisationRemoved", [RB]);
    });
  });

  describe("SetValidator", () => {
    it("replaces a hospital's validator at H + 2", async () => {
      const { receipt } = await enact("proposeSetValidator", [H3, V_NEW]);
      const executed = BigInt(receipt.blockNumber);
      expect(events(receipt, "ValidatorChanged")).toEqual([[H3, V3, V_NEW]]);
      const next = sorted([V1, V2, V_NEW, V4]);
      expect(events(receipt, "ValidatorSetScheduled")).toEqual([[executed + 2n, next]]);
      expect(await read("validatorsAt", executed + 1n)).toEqual(sorted([V1, V2, V3, V4]));
      expect(await read("validatorsAt", executed + 2n)).toEqual(next);
      expect(await read("validatorsAt", executed + 1000n)).toEqual(next);
      expect(await read("hospitalOfValidator", V3)).toBe(0n);
      expect(await read("hospitalOfValidator", V_NEW)).toBe(H3);
      expect((await read<{ validator: string }>("organisation", H3)).validator).toBe(V_NEW);
    });

    it("reverts for non-hospitals, zero, taken validators, unknown and removed", async () => {
      const p = fn("proposeSetValidator", h1);
      await expectCustomError(p(REG, V_NEW), c, "ConsortiumNotHospital", [REG]);
      await expectCustomError(p(H3, ZERO), c, "ConsortiumZeroAddress", []);
      await expectCustomError(p(H3, V3), c, "ConsortiumValidatorTaken", [V3, H3]);
      await expectCustomError(p(H3, V1), c, "ConsortiumValidatorTaken", [V1, H1]);
      await expectCustomError(p(0n, V_NEW), c, "ConsortiumUnknownOrganisation", [0n]);
      await enact("proposeRemoveOrganisation", [H4]);
      await expectCustomError(p(H4, V_NEW), c, "ConsortiumOrganisationRemoved", [H4]);
    });

    it("revalidates at execution: a validator taken meanwhile makes execution revert", async () => {
      const first = await propose(h1, "proposeSetValidator", H3, V_NEW);
      const second = await propose(h1, "proposeSetValidator", H4, V_NEW);
      for (const id of [first.id, second.id]) {
        await send(h2, "vote", id);
        await send(h3, "vote", id);
      }
      await nextTxInBlock(BigInt(second.receipt.blockNumber) + DELAY);
      await send(outsider, "execute", first.id);
      await expectCustomError(fn("execute")(second.id), c, "ConsortiumValidatorTaken", [V_NEW, H3]);
    });

    it("two changes executed in one block share one checkpoint at H + 2", async () => {
      const a = await propose(h1, "proposeSetValidator", H3, V_NEW);
      const b = await propose(h1, "proposeSetValidator", H4, addr("55"));
      for (const id of [a.id, b.id]) {
        await send(h2, "vote", id);
        await send(h3, "vote", id);
      }
      await nextTxInBlock(BigInt(b.receipt.blockNumber) + DELAY);
      await ethers.provider.send("evm_setAutomine", [false]);
      try {
        const ta = await fn("execute", h1)(a.id);
        const tb = await fn("execute", h2)(b.id);
        await ethers.provider.send("evm_mine", []);
        const [ra, rb] = [await ta.wait(), await tb.wait()];
        expect(ra?.blockNumber).toBe(rb?.blockNumber);
        const executed = BigInt(ra?.blockNumber ?? 0);
        expect(await read("checkpointCount")).toBe(2n);
        const cp = await read<{ toObject(deep: boolean): unknown }>("checkpoint", 1n);
        const next = sorted([V1, V2, V_NEW, addr("55")]);
        expect(cp.toObject(true)).toEqual({ fromBlock: executed + 2n, validators: next });
        expect(await read("validatorsAt", executed + 2n)).toEqual(next);
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
    });

    it("validatorsAt finds each set across many checkpoints", async () => {
      const history: { from: bigint; set: string[] }[] = [
        { from: 0n, set: sorted([V1, V2, V3, V4]) },
      ];
      const fresh = ["a1", "b2", "c3", "0d", "e5"].map(addr);
      for (const [i, v] of fresh.entries()) {
        const { receipt } = await enact("proposeSetValidator", [i % 2 === 0 ? H3 : H4, v]);
        const set = events(receipt, "ValidatorSetScheduled")[0]?.[1] as string[];
        history.push({ from: BigInt(receipt.blockNumber) + 2n, set });
      }
      expect(await read("checkpointCount")).toBe(BigInt(history.length));
      for (const [i, { from, set }] of history.entries()) {
        const until = history[i + 1]?.from ?? from + 3n;
        expect(await read("validatorsAt", from)).toEqual(set);
        expect(await read("validatorsAt", until - 1n)).toEqual(set);
      }
    });
  });

  describe("Call", () => {
    let target: Contract;
    beforeEach(async () => {
      target = await ethers.deployContract("GovernedTarget", [c.target]);
    });
    const setValue = (v: bigint): string => target.interface.encodeFunctionData("setValue", [v]);

    it("calls a governance-only setter as the consortium", async () => {
      await expectCustomError(
        target.getFunction("setValue")(5n),
        target,
        "GovernedTargetNotConsortium",
        [outsider.address],
      );
      const { receipt } = await enact("proposeCall", [target.target, setValue(5n)]);
      expect(eventNames(receipt)).toEqual(["ProposalExecuted"]);
      expect(await target.getFunction("value")()).toBe(5n);
    });

    it("wraps the target's revert in ConsortiumCallFailed and stays executable", async () => {
      const { id } = await propose(h1, "proposeCall", target.target, setValue(0n));
      await send(h2, "vote", id);
      await send(h3, "vote", id);
      await nextTxInBlock((await blockNumber()) + DELAY);
      const reason = target.interface.encodeErrorResult("GovernedTargetRejected", [0n]);
      await expectCustomError(fn("execute")(id), c, "ConsortiumCallFailed", [
        id,
        target.target,
        reason,
      ]);
      expect(await read("proposalState", id)).toBe(State.Open);
    });

    it("rejects a target without code when proposed", async () => {
      await expectCustomError(
        fn("proposeCall", h1)(outsider.address, "0x"),
        c,
        "ConsortiumCallTargetNotContract",
        [outsider.address],
      );
    });

    it("changes the governance parameters only through a Call to the consortium", async () => {
      await expectCustomError(
        fn("setGovernanceParameters", h1)(1n, 3n),
        c,
        "ConsortiumOnlyGovernance",
        [h1.address],
      );
      const data = c.interface.encodeFunctionData("setGovernanceParameters", [1n, 3n]);
      const { receipt } = await enact("proposeCall", [c.target, data]);
      expect(events(receipt, "GovernanceParametersChanged")).toEqual([[1n, 3n]]);
      expect([await read("executionDelay"), await read("votingPeriod")]).toEqual([1n, 3n]);
      const { receipt: proposed } = await propose(h1, "proposeRemoveOrganisation", RES);
      const created = BigInt(proposed.blockNumber);
      expect(events(proposed, "ProposalCreated")[0]?.slice(5)).toEqual([
        created + 1n,
        created + 3n,
      ]);

      const bad = c.interface.encodeFunctionData("setGovernanceParameters", [4n, 3n]);
      const { id } = await propose(h1, "proposeCall", c.target, bad);
      await send(h2, "vote", id);
      await send(h3, "vote", id);
      const reason = c.interface.encodeErrorResult("ConsortiumInvalidGovernanceParameters", [
        4n,
        3n,
      ]);
      await expectCustomError(fn("execute")(id), c, "ConsortiumCallFailed", [id, c.target, reason]);
    });
  });
});

describe("Consortium voting and execution", () => {
  beforeEach(async () => {
    c = await deploy();
  });

  async function proposeRemoveResearcher(): Promise<{ id: bigint; created: bigint }> {
    const { id, receipt } = await propose(h1, "proposeRemoveOrganisation", RES);
    return { id, created: BigInt(receipt.blockNumber) };
  }

  it("exactly half of the hospitals is not a majority; one more passes", async () => {
    const { id, created } = await proposeRemoveResearcher();
    await send(h2, "vote", id);
    await nextTxInBlock(created + DELAY);
    await expectCustomError(fn("execute")(id), c, "ConsortiumMajorityNotReached", [id, 2n, 4n]);
    const receipt = await send(h3, "vote", id);
    expect(events(receipt, "Voted")).toEqual([[id, H3, h3.address]]);
    expect((await read<{ votes: bigint }>("proposal", id)).votes).toBe(3n);
    await send(outsider, "execute", id);
    expect(await read("isMember", researcher.address)).toBe(false);
  });

  it("a single hospital alone is a majority of one", async () => {
    c = await deploy([
      hospital([h1.address], V1),
      nonHospital(Role.Researcher, [researcher.address]),
    ]);
    const { id, receipt } = await propose(h1, "proposeRemoveOrganisation", 2n);
    await nextTxInBlock(BigInt(receipt.blockNumber) + DELAY);
    await send(h1, "execute", id);
    expect(await read("roleOf", 2n)).toBe(Role.None);
  });

  it("enforces the execution delay and the expiry", async () => {
    const { id, created } = await proposeRemoveResearcher();
    await send(h2, "vote", id);
    await send(h3, "vote", id);
    await nextTxInBlock(created + DELAY - 1n);
    expect(await read("proposalState", id)).toBe(State.Pending);
    await expectCustomError(fn("execute")(id), c, "ConsortiumProposalTooEarly", [
      id,
      created + DELAY,
    ]);
    await nextTxInBlock(created + PERIOD + 1n);
    expect(await read("proposalState", id)).toBe(State.Open);
    await ethers.provider.send("evm_mine", []);
    expect(await read("proposalState", id)).toBe(State.Expired);
    await expectCustomError(fn("execute")(id), c, "ConsortiumProposalClosed", [id, State.Expired]);
    await expectCustomError(fn("vote", h4)(id), c, "ConsortiumProposalClosed", [id, State.Expired]);
  });

  it("executes at the first and at the last allowed block", async () => {
    const first = await proposeRemoveResearcher();
    await send(h2, "vote", first.id);
    await send(h3, "vote", first.id);
    await nextTxInBlock(first.created + DELAY);
    expect(BigInt((await send(outsider, "execute", first.id)).blockNumber)).toBe(
      first.created + DELAY,
    );
    const { id, receipt } = await propose(h1, "proposeRemoveOrganisation", RB);
    const created = BigInt(receipt.blockNumber);
    await send(h2, "vote", id);
    await send(h3, "vote", id);
    await nextTxInBlock(created + PERIOD);
    expect(await read("proposalState", id)).toBe(State.Open);
    expect(BigInt((await send(outsider, "execute", id)).blockNumber)).toBe(created + PERIOD);
  });

  it("executes once", async () => {
    const { id } = await enact("proposeRemoveOrganisation", [RES]);
    await expectCustomError(fn("execute")(id), c, "ConsortiumProposalClosed", [id, State.Executed]);
    await expectCustomError(fn("vote", h4)(id), c, "ConsortiumProposalClosed", [
      id,
      State.Executed,
    ]);
    await expectCustomError(fn("cancel", h1)(id), c, "ConsortiumProposalClosed", [
      id,
      State.Executed,
    ]);
  });

  it("a removed hospital's vote no longer counts", async () => {
    const { id, created } = await proposeRemoveResearcher();
    await send(h2, "vote", id);
    await send(h3, "vote", id);
    await enact("proposeRemoveOrganisation", [H3], [h2, h4]);
    // 3 voters, 1 removed: 2 counted of 3 active hospitals is still a majority.
    expect((await read<{ votes: bigint }>("proposal", id)).votes).toBe(2n);
    expect(await read("votersOf", id)).toEqual([H1, H2, H3]);
    await enact("proposeRemoveOrganisation", [H2], [h4]);
    // 3 voters, 2 removed: 1 counted of 2 active hospitals is exactly half.
    await nextTxInBlock(created + DELAY);
    await expectCustomError(fn("execute")(id), c, "ConsortiumMajorityNotReached", [id, 1n, 2n]);
    await send(h4, "vote", id);
    await send(outsider, "execute", id);
    expect(await read("isMember", researcher.address)).toBe(false);
  });

  it("vote reverts for non-hospitals, unknown proposals and repeated votes", async () => {
    const { id } = await proposeRemoveResearcher();
    for (const who of [outsider, regulator]) {
      await expectCustomError(fn("vote", who)(id), c, "ConsortiumNotHospitalAccount", [
        who.address,
      ]);
    }
    await expectCustomError(fn("vote", h2)(7n), c, "ConsortiumUnknownProposal", [7n]);
    await expectCustomError(fn("vote", h1Recorder)(id), c, "ConsortiumAlreadyVoted", [id, H1]);
    await send(h2, "vote", id);
    await expectCustomError(fn("vote", h2)(id), c, "ConsortiumAlreadyVoted", [id, H2]);
  });

  it("execute reverts for unknown proposals", async () => {
    await expectCustomError(fn("execute")(0n), c, "ConsortiumUnknownProposal", [0n]);
    await expectCustomError(fn("execute")(3n), c, "ConsortiumUnknownProposal", [3n]);
  });

  it("the proposing hospital may cancel; nobody else", async () => {
    const { id } = await proposeRemoveResearcher();
    await send(h2, "vote", id);
    await send(h3, "vote", id);
    await expectCustomError(fn("cancel", h2)(id), c, "ConsortiumNotProposer", [id, H2]);
    await expectCustomError(fn("cancel", regulator)(id), c, "ConsortiumNotHospitalAccount", [
      regulator.address,
    ]);
    await expectCustomError(fn("cancel", h1)(9n), c, "ConsortiumUnknownProposal", [9n]);
    const receipt = await send(h1Recorder, "cancel", id);
    expect(events(receipt, "ProposalCancelled")).toEqual([[id, h1Recorder.address]]);
    expect(await read("proposalState", id)).toBe(State.Cancelled);
    await nextTxInBlock((await blockNumber()) + DELAY);
    await expectCustomError(fn("execute")(id), c, "ConsortiumProposalClosed", [
      id,
      State.Cancelled,
    ]);
    await expectCustomError(fn("cancel", h1)(id), c, "ConsortiumProposalClosed", [
      id,
      State.Cancelled,
    ]);
  });
});
