import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { BaseContract, type Contract, type ContractTransactionReceipt, getAddress } from "ethers";
import hre from "hardhat";
import { beforeEach, describe, expect, it } from "vitest";
import { dataCategories, purposeCodes } from "../../src/consent/index.ts";
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
const Capacity = { None: 0n, Admin: 1n, Recorder: 2n, Retired: 3n } as const;
const MAX_HOSPITALS = 64;

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
/** Generated address number `i` of a family (`prefix` is one hex byte). */
const seat = (prefix: string, i: number): string =>
  getAddress(`0x${prefix.repeat(18)}${i.toString(16).padStart(4, "0")}`);

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
    hospital([h1.address], V1, [h1Recorder.address]),
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

/** `bindingOf(account)` as [orgId, capacity]. */
async function binding(account: string): Promise<bigint[]> {
  return [...(await read<bigint[]>("bindingOf", account))];
}

/** `roleCount` of every role, Role.None first. */
async function roleCounts(): Promise<bigint[]> {
  const out: bigint[] = [];
  for (const role of Object.values(Role)) out.push(await read<bigint>("roleCount", role));
  return out;
}

/**
 * `n` hospitals: the first run by h1 with validator V1, the others by generated admins. The
 * generated ones carry no metadata hash: 64 hospitals with one cost ~16.9 M gas to construct,
 * above the 2^24 per-transaction gas cap of the network's default hardfork (EIP-7825).
 */
function manyHospitals(n: number): Init[] {
  return Array.from({ length: n }, (_, i) =>
    i === 0
      ? hospital([h1.address], V1)
      : { ...hospital([seat("ad", i)], seat("7a", i)), metadata: ethers.ZeroHash },
  );
}

/** A funded signer for `address` (the generated admins of `manyHospitals`). */
async function impersonate(address: string): Promise<HardhatEthersSigner> {
  await ethers.provider.send("hardhat_impersonateAccount", [address]);
  await ethers.provider.send("hardhat_setBalance", [address, "0xde0b6b3a7640000"]);
  return ethers.getSigner(address);
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
      metadata: meta(1),
      validator: V1,
      accountCount: 1n,
      recorderCount: 1n,
    });
    expect(await read("accountsOf", H1)).toEqual([h1.address]);
    expect(await read("recordersOf", H1)).toEqual([h1Recorder.address]);
    expect(await read("MAX_HOSPITALS")).toBe(BigInt(MAX_HOSPITALS));
    expect(await roleCounts()).toEqual([0n, 4n, 1n, 1n, 1n]);
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
      hospital([h1.address], V1, [h1Recorder.address]),
      nonHospital(Role.Regulator, [regulator.address]),
    ]);
    const receipt = await c.deploymentTransaction()?.wait();
    if (receipt === null || receipt === undefined) throw new Error("no deployment receipt");
    expect(eventNames(receipt)).toEqual([
      "GovernanceParametersChanged",
      "OrganisationAdded",
      "AccountAdded",
      "RecorderAdded",
      "ValidatorChanged",
      "OrganisationAdded",
      "AccountAdded",
      "ValidatorSetScheduled",
    ]);
    expect(events(receipt, "GovernanceParametersChanged")).toEqual([[DELAY, PERIOD]]);
    expect(events(receipt, "OrganisationAdded")).toEqual([
      [H1, Role.Hospital, meta(1)],
      [2n, Role.Regulator, meta(102)],
    ]);
    expect(events(receipt, "AccountAdded")).toEqual([
      [H1, h1.address],
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

    it("on a zero account, recorder or validator", async () => {
      await expectCustomError(deploy([hospital([ZERO], V1)]), iface, "ConsortiumZeroAddress", []);
      await expectCustomError(
        deploy([hospital([h1.address], V1, [ZERO])]),
        iface,
        "ConsortiumZeroAddress",
        [],
      );
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
        deploy([hospital([h1.address], V1, [h2.address, h2.address])]),
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

    it("on a recorder also listed as an admin account", async () => {
      await expectCustomError(
        deploy([hospital([h1.address, h1Recorder.address], V1, [h1Recorder.address])]),
        iface,
        "ConsortiumRecorderIsAdmin",
        [h1Recorder.address],
      );
    });

    it("on a recorder bound to an earlier organisation", async () => {
      await expectCustomError(
        deploy([h(), hospital([h2.address], V2, [h1.address])]),
        iface,
        "ConsortiumAccountTaken",
        [h1.address, 1n],
      );
      await expectCustomError(
        deploy([
          hospital([h1.address], V1, [h1Recorder.address]),
          nonHospital(Role.Regulator, [h1Recorder.address]),
        ]),
        iface,
        "ConsortiumAccountTaken",
        [h1Recorder.address, 1n],
      );
    });

    it(`on more than MAX_HOSPITALS (${MAX_HOSPITALS}) hospitals`, async () => {
      await expectCustomError(
        deploy(manyHospitals(MAX_HOSPITALS + 1)),
        iface,
        "ConsortiumTooManyHospitals",
        [BigInt(MAX_HOSPITALS)],
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

  it("isAdmin and bindingOf tell admin accounts from recorders", async () => {
    expect(await binding(h1.address)).toEqual([H1, Capacity.Admin]);
    expect(await binding(h1Recorder.address)).toEqual([H1, Capacity.Recorder]);
    expect(await binding(regulator.address)).toEqual([REG, Capacity.Admin]);
    expect(await binding(outsider.address)).toEqual([0n, Capacity.None]);
    expect(await read("isAdmin", H1, h1.address)).toBe(true);
    expect(await read("isAdmin", REG, regulator.address)).toBe(true);
    expect(await read("isAdmin", H1, h1Recorder.address)).toBe(false);
    expect(await read("isAdmin", H2, h1.address)).toBe(false);
    expect(await read("isAdmin", 0n, outsider.address)).toBe(false);
    expect(await read("isAdmin", 0n, h1.address)).toBe(false);
    // A recorder acts for its hospital (sends transactions, records) without being an admin.
    expect(await read("isMember", h1Recorder.address)).toBe(true);
    expect(await read("organisationOf", h1Recorder.address)).toBe(H1);
    expect(await read("hasRole", Role.Hospital, h1Recorder.address)).toBe(true);
    expect(await read("isRecorder", H1, h1Recorder.address)).toBe(true);
  });

  it("roleCount follows additions, removals and role changes", async () => {
    expect(await roleCounts()).toEqual([0n, 4n, 1n, 1n, 1n]);
    await enact("proposeAddOrganisation", [nonHospital(Role.Researcher, [free[0].address])]);
    expect(await roleCounts()).toEqual([0n, 4n, 1n, 2n, 1n]);
    await enact("proposeChangeRole", [RES, Role.ReviewBoard]);
    expect(await roleCounts()).toEqual([0n, 4n, 1n, 1n, 2n]);
    await enact("proposeRemoveOrganisation", [RB]);
    expect(await roleCounts()).toEqual([0n, 4n, 1n, 1n, 1n]);
    await enact("proposeAddOrganisation", [hospital([free[1].address], V_NEW)]);
    expect(await roleCounts()).toEqual([0n, 5n, 1n, 1n, 1n]);
    await enact("proposeRemoveOrganisation", [H4]);
    expect(await roleCounts()).toEqual([0n, 4n, 1n, 1n, 1n]);
    expect(await read("hospitalCount")).toBe(4n);
    // Self-management never changes a count.
    await send(regulator, "addAccount", free[2].address);
    await send(h1, "removeRecorder", h1Recorder.address);
    expect(await roleCounts()).toEqual([0n, 4n, 1n, 1n, 1n]);
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
    expect(await read("accountsOf", H1)).toEqual([h1.address]);
    expect(await read("recordersOf", H1)).toEqual([h1Recorder.address]);
    expect(await read("isAdmin", H1, h1.address)).toBe(false);
    // The binding stays (for audit, and so the address can never be bound again), retired.
    expect(await binding(h1.address)).toEqual([H1, Capacity.Retired]);
    expect(await binding(h1Recorder.address)).toEqual([H1, Capacity.Retired]);
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

  it("addAccount reverts for non-admins, zero and taken accounts", async () => {
    for (const who of [outsider, h1Recorder]) {
      await expectCustomError(fn("addAccount", who)(free[0].address), c, "ConsortiumNotAdmin", [
        who.address,
      ]);
    }
    await expectCustomError(fn("addAccount", h1)(ZERO), c, "ConsortiumZeroAddress", []);
    await expectCustomError(fn("addAccount", h1)(h2.address), c, "ConsortiumAccountTaken", [
      h2.address,
      H2,
    ]);
    await expectCustomError(fn("addAccount", h1)(h1.address), c, "ConsortiumAccountTaken", [
      h1.address,
      H1,
    ]);
    await expectCustomError(fn("addAccount", h1)(h1Recorder.address), c, "ConsortiumAccountTaken", [
      h1Recorder.address,
      H1,
    ]);
  });

  it("a removed organisation's accounts can neither act nor join another one", async () => {
    await enact("proposeRemoveOrganisation", [RES]);
    await expectCustomError(
      fn("addAccount", researcher)(free[0].address),
      c,
      "ConsortiumNotAdmin",
      [researcher.address],
    );
    await expectCustomError(
      fn("addAccount", regulator)(researcher.address),
      c,
      "ConsortiumAccountTaken",
      [researcher.address, RES],
    );
  });

  it("removeAccount retires an account for good", async () => {
    await send(h1, "addAccount", free[0].address);
    const receipt = await send(h1, "removeAccount", free[0].address);
    expect(eventNames(receipt)).toEqual(["AccountRemoved"]);
    expect(events(receipt, "AccountRemoved")).toEqual([[H1, free[0].address]]);
    expect(await read("accountsOf", H1)).toEqual([h1.address]);
    expect(await read("isMember", free[0].address)).toBe(false);
    expect(await read("organisationOf", free[0].address)).toBe(0n);
    expect(await read("isAdmin", H1, free[0].address)).toBe(false);
    expect(await read("hasRole", Role.Hospital, free[0].address)).toBe(false);
    expect(await binding(free[0].address)).toEqual([H1, Capacity.Retired]);
    await expectCustomError(fn("addAccount", free[0])(free[1].address), c, "ConsortiumNotAdmin", [
      free[0].address,
    ]);
  });

  it("removeAccount lets an account remove itself", async () => {
    await send(regulator, "addAccount", free[0].address);
    const receipt = await send(regulator, "removeAccount", regulator.address);
    expect(eventNames(receipt)).toEqual(["AccountRemoved"]);
    expect(await read("accountsOf", REG)).toEqual([free[0].address]);
    expect(await binding(regulator.address)).toEqual([REG, Capacity.Retired]);
    await expectCustomError(fn("addAccount", regulator)(free[1].address), c, "ConsortiumNotAdmin", [
      regulator.address,
    ]);
  });

  it("removeAccount reverts for non-admins, foreign accounts, recorders and the last account", async () => {
    for (const who of [outsider, h1Recorder]) {
      await expectCustomError(fn("removeAccount", who)(h1.address), c, "ConsortiumNotAdmin", [
        who.address,
      ]);
    }
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
    // A recorder is not an admin account: removeRecorder retires it.
    await expectCustomError(
      fn("removeAccount", h1)(h1Recorder.address),
      c,
      "ConsortiumNotAccountOf",
      [H1, h1Recorder.address],
    );
    await expectCustomError(fn("removeAccount", h1)(h1.address), c, "ConsortiumLastAccount", [
      H1,
      h1.address,
    ]);
    await expectCustomError(
      fn("removeAccount", regulator)(regulator.address),
      c,
      "ConsortiumLastAccount",
      [REG, regulator.address],
    );
    await send(regulator, "addAccount", free[0].address);
    await send(regulator, "removeAccount", free[0].address);
    await expectCustomError(
      fn("removeAccount", regulator)(free[0].address),
      c,
      "ConsortiumNotAccountOf",
      [REG, free[0].address],
    );
  });

  it("addRecorder binds a never-bound address as a recorder, not as an admin account", async () => {
    const receipt = await send(h2, "addRecorder", free[0].address);
    expect(eventNames(receipt)).toEqual(["RecorderAdded"]);
    expect(events(receipt, "RecorderAdded")).toEqual([[H2, free[0].address]]);
    expect(await read("isRecorder", H2, free[0].address)).toBe(true);
    expect(await read("isAdmin", H2, free[0].address)).toBe(false);
    expect(await read("organisationOf", free[0].address)).toBe(H2);
    expect(await binding(free[0].address)).toEqual([H2, Capacity.Recorder]);
    expect(await read("accountsOf", H2)).toEqual([h2.address]);
    expect(await read("recordersOf", H2)).toEqual([free[0].address]);
    const org = await read<{ accountCount: bigint; recorderCount: bigint }>("organisation", H2);
    expect([org.accountCount, org.recorderCount]).toEqual([1n, 1n]);
  });

  it("addRecorder reverts for non-admins, non-hospitals, zero and any bound address", async () => {
    for (const who of [outsider, h1Recorder]) {
      await expectCustomError(fn("addRecorder", who)(free[0].address), c, "ConsortiumNotAdmin", [
        who.address,
      ]);
    }
    await expectCustomError(
      fn("addRecorder", regulator)(free[0].address),
      c,
      "ConsortiumNotHospital",
      [REG],
    );
    await expectCustomError(fn("addRecorder", h1)(ZERO), c, "ConsortiumZeroAddress", []);
    // Another organisation's account, an own admin account (never converted) and an own
    // recorder are all bound already.
    for (const [account, org] of [
      [h2.address, H2],
      [h1.address, H1],
      [h1Recorder.address, H1],
    ] as const) {
      await expectCustomError(fn("addRecorder", h1)(account), c, "ConsortiumAccountTaken", [
        account,
        org,
      ]);
    }
    expect(await read("isRecorder", H1, h1.address)).toBe(false);
  });

  it("removeRecorder retires the recorder for good", async () => {
    const receipt = await send(h1, "removeRecorder", h1Recorder.address);
    expect(eventNames(receipt)).toEqual(["RecorderRemoved"]);
    expect(events(receipt, "RecorderRemoved")).toEqual([[H1, h1Recorder.address]]);
    expect(await read("isRecorder", H1, h1Recorder.address)).toBe(false);
    expect(await read("isMember", h1Recorder.address)).toBe(false);
    expect(await read("organisationOf", h1Recorder.address)).toBe(0n);
    expect(await read("recordersOf", H1)).toEqual([]);
    expect(await binding(h1Recorder.address)).toEqual([H1, Capacity.Retired]);
  });

  it("removeRecorder reverts for non-admins, non-hospitals and non-recorders", async () => {
    for (const who of [outsider, h1Recorder]) {
      await expectCustomError(
        fn("removeRecorder", who)(h1Recorder.address),
        c,
        "ConsortiumNotAdmin",
        [who.address],
      );
    }
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
    await send(h2, "addRecorder", free[0].address);
    await expectCustomError(fn("removeRecorder", h1)(free[0].address), c, "ConsortiumNotRecorder", [
      H1,
      free[0].address,
    ]);
    await send(h1, "removeRecorder", h1Recorder.address);
    await expectCustomError(
      fn("removeRecorder", h1)(h1Recorder.address),
      c,
      "ConsortiumNotRecorder",
      [H1, h1Recorder.address],
    );
  });

  it("setMetadata replaces the caller's organisation's metadata hash", async () => {
    const receipt = await send(reviewBoard, "setMetadata", meta(7));
    expect(events(receipt, "MetadataUpdated")).toEqual([[RB, meta(7)]]);
    expect((await read<{ metadata: string }>("organisation", RB)).metadata).toBe(meta(7));
    for (const who of [outsider, h1Recorder]) {
      await expectCustomError(fn("setMetadata", who)(meta(7)), c, "ConsortiumNotAdmin", [
        who.address,
      ]);
    }
  });
});

describe("Consortium recorders and retired addresses", () => {
  beforeEach(async () => {
    c = await deploy();
  });

  it("a recorder can neither manage its hospital nor govern", async () => {
    const managing: [string, unknown[]][] = [
      ["addAccount", [free[0].address]],
      ["removeAccount", [h1.address]],
      ["addRecorder", [free[0].address]],
      ["removeRecorder", [h1Recorder.address]],
      ["setMetadata", [meta(9)]],
    ];
    for (const [name, args] of managing) {
      await expectCustomError(fn(name, h1Recorder)(...args), c, "ConsortiumNotAdmin", [
        h1Recorder.address,
      ]);
    }
    const byH2 = await propose(h2, "proposeRemoveOrganisation", RES);
    const byH1 = await propose(h1, "proposeRemoveOrganisation", RB);
    const governing: [string, unknown[]][] = [
      ["proposeAddOrganisation", [nonHospital(Role.Researcher, [free[0].address])]],
      ["proposeRemoveOrganisation", [RES]],
      ["proposeChangeRole", [RES, Role.ReviewBoard]],
      ["proposeSetValidator", [H1, V_NEW]],
      [
        "proposeCall",
        [c.target, c.interface.encodeFunctionData("setGovernanceParameters", [1n, 3n])],
      ],
      // H1 has not voted for H2's proposal: only the recorder's capacity stops this vote.
      ["vote", [byH2.id]],
      // H1 made this proposal: only the recorder's capacity stops this cancellation.
      ["cancel", [byH1.id]],
    ];
    for (const [name, args] of governing) {
      await expectCustomError(fn(name, h1Recorder)(...args), c, "ConsortiumNotHospitalAdmin", [
        h1Recorder.address,
      ]);
    }
    expect(await read("accountsOf", H1)).toEqual([h1.address]);
    expect(await read("hasVoted", byH2.id, H1)).toBe(false);
    expect(await read("proposalState", byH1.id)).toBe(State.Pending);
    expect(await read("proposalCount")).toBe(2n);
  });

  it("a recorder still records consents for its own hospital, an admin account does not", async () => {
    const registry = await ethers.deployContract("ConsentRegistry", [c.target]);
    const terms = {
      purposes: purposeCodes.HMB.bit,
      categories: dataCategories.DEMOGRAPHICS.bit,
      validFrom: 0,
      validUntil: 0,
    };
    const subject = (n: number): string => ethers.id(`subject ${n}`);
    const grant = (as: HardhatEthersSigner, custodian: bigint, n: number) =>
      registry.connect(as).getFunction("grant")(custodian, subject(n), terms, ethers.id("doc"));
    await (await grant(h1Recorder, H1, 1)).wait();
    expect((await registry.getFunction("consentOf")(H1, subject(1))).status).toBe(1n);
    await expectCustomError(grant(h1, H1, 2), registry, "ConsentRegistryNotRecorder", [
      H1,
      h1.address,
    ]);
    await expectCustomError(grant(h1Recorder, H2, 2), registry, "ConsentRegistryNotRecorder", [
      H2,
      h1Recorder.address,
    ]);
    await send(h1, "removeRecorder", h1Recorder.address);
    await expectCustomError(grant(h1Recorder, H1, 2), registry, "ConsentRegistryNotRecorder", [
      H1,
      h1Recorder.address,
    ]);
  });

  it("a key freed before its hospital's expulsion never joins another organisation", async () => {
    // Issue 10 #6: a hospital facing removal frees a key, then parks it elsewhere.
    const { id, receipt } = await propose(h1, "proposeRemoveOrganisation", H4);
    await send(h4, "addAccount", free[0].address);
    await send(h4, "removeAccount", free[0].address);
    await send(h4, "addRecorder", free[1].address);
    await send(h4, "removeRecorder", free[1].address);
    await send(h2, "vote", id);
    await send(h3, "vote", id);
    await nextTxInBlock(BigInt(receipt.blockNumber) + DELAY);
    await send(outsider, "execute", id);
    for (const key of [free[0].address, free[1].address, h4.address]) {
      expect(await read("isMember", key)).toBe(false);
      await expectCustomError(fn("addAccount", researcher)(key), c, "ConsortiumAccountTaken", [
        key,
        H4,
      ]);
      await expectCustomError(fn("addRecorder", h2)(key), c, "ConsortiumAccountTaken", [key, H4]);
      await expectCustomError(
        fn("proposeAddOrganisation", h1)(nonHospital(Role.Researcher, [key])),
        c,
        "ConsortiumAccountTaken",
        [key, H4],
      );
      await expectCustomError(
        fn("proposeAddOrganisation", h1)(hospital([free[2].address], V_NEW, [key])),
        c,
        "ConsortiumAccountTaken",
        [key, H4],
      );
    }
  });

  it("a retired address cannot come back to its own organisation either", async () => {
    await send(h1, "addAccount", free[0].address);
    await send(h1, "removeAccount", free[0].address);
    await send(h1, "removeRecorder", h1Recorder.address);
    for (const key of [free[0].address, h1Recorder.address]) {
      await expectCustomError(fn("addAccount", h1)(key), c, "ConsortiumAccountTaken", [key, H1]);
      await expectCustomError(fn("addRecorder", h1)(key), c, "ConsortiumAccountTaken", [key, H1]);
      expect(await binding(key)).toEqual([H1, Capacity.Retired]);
    }
  });

  it("an AddOrganisation whose key is retired meanwhile fails at execution", async () => {
    const init = hospital([free[0].address], V_NEW, [free[1].address]);
    const { id, receipt } = await propose(h1, "proposeAddOrganisation", init);
    await send(h2, "vote", id);
    await send(h3, "vote", id);
    await send(h2, "addRecorder", free[1].address);
    await send(h2, "removeRecorder", free[1].address);
    await nextTxInBlock(BigInt(receipt.blockNumber) + DELAY);
    await expectCustomError(fn("execute")(id), c, "ConsortiumAccountTaken", [free[1].address, H2]);
  });
});

describe("Consortium proposals", () => {
  beforeEach(async () => {
    c = await deploy();
  });

  it("proposing records the proposal and the proposing hospital's vote", async () => {
    const before = await blockNumber();
    const { id, receipt } = await propose(h1, "proposeRemoveOrganisation", RES);
    const created = before + 1n;
    const payload = ethers.AbiCoder.defaultAbiCoder().encode(["uint32"], [RES]);
    expect(id).toBe(1n);
    expect(eventNames(receipt)).toEqual(["ProposalCreated", "Voted"]);
    expect(events(receipt, "ProposalCreated")).toEqual([
      [1n, H1, h1.address, Kind.RemoveOrganisation, payload, created + DELAY, created + PERIOD],
    ]);
    expect(events(receipt, "Voted")).toEqual([[1n, H1, h1.address]]);
    const p = await read<{ toObject(): Record<string, unknown> }>("proposal", id);
    expect(p.toObject()).toEqual({
      kind: Kind.RemoveOrganisation,
      state: State.Pending,
      hospitalId: H1,
      proposer: h1.address,
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

  it("only admin accounts of active hospitals may propose", async () => {
    for (const who of [outsider, regulator, researcher, h1Recorder]) {
      await expectCustomError(
        fn("proposeRemoveOrganisation", who)(RES),
        c,
        "ConsortiumNotHospitalAdmin",
        [who.address],
      );
    }
    await enact("proposeRemoveOrganisation", [H4]);
    await expectCustomError(
      fn("proposeRemoveOrganisation", h4)(RES),
      c,
      "ConsortiumNotHospitalAdmin",
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
    const newHospital = (): Init => hospital([free[0].address], V_NEW, [free[1].address]);

    it("adds a hospital whose validator joins the set at H + 2", async () => {
      const { receipt } = await enact("proposeAddOrganisation", [newHospital()]);
      const executed = BigInt(receipt.blockNumber);
      expect(eventNames(receipt)).toEqual([
        "ProposalExecuted",
        "OrganisationAdded",
        "AccountAdded",
        "RecorderAdded",
        "ValidatorChanged",
        "ValidatorSetScheduled",
      ]);
      expect(events(receipt, "ProposalExecuted")).toEqual([[1n, outsider.address]]);
      expect(events(receipt, "OrganisationAdded")).toEqual([[8n, Role.Hospital, meta(1)]]);
      expect(events(receipt, "AccountAdded")).toEqual([[8n, free[0].address]]);
      expect(events(receipt, "RecorderAdded")).toEqual([[8n, free[1].address]]);
      expect(events(receipt, "ValidatorChanged")).toEqual([[8n, ZERO, V_NEW]]);
      const next = sorted([V1, V2, V3, V4, V_NEW]);
      expect(events(receipt, "ValidatorSetScheduled")).toEqual([[executed + 2n, next]]);
      expect(await read("hospitalCount")).toBe(5n);
      expect(await read("isRecorder", 8n, free[1].address)).toBe(true);
      expect(await read("isAdmin", 8n, free[1].address)).toBe(false);
      expect(await read("isAdmin", 8n, free[0].address)).toBe(true);
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
        p(hospital([free[0].address, free[1].address], V_NEW, [free[1].address])),
        c,
        "ConsortiumRecorderIsAdmin",
        [free[1].address],
      );
      await expectCustomError(
        p(hospital([free[0].address], V_NEW, [ZERO])),
        c,
        "ConsortiumZeroAddress",
        [],
      );
      await expectCustomError(
        p(hospital([free[0].address], V_NEW, [free[1].address, free[1].address])),
        c,
        "ConsortiumDuplicateAddress",
        [free[1].address],
      );
      await expectCustomError(
        p(hospital([free[0].address], V_NEW, [h1Recorder.address])),
        c,
        "ConsortiumAccountTaken",
        [h1Recorder.address, H1],
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

  it("with two hospitals one vote is never a majority; both votes pass any proposal", async () => {
    c = await deploy([
      hospital([h1.address], V1),
      hospital([h2.address], V2),
      nonHospital(Role.Researcher, [researcher.address]),
    ]);
    const expel = await propose(h1, "proposeRemoveOrganisation", H2);
    const retireResearcher = await propose(h2, "proposeRemoveOrganisation", 3n);
    await nextTxInBlock(BigInt(retireResearcher.receipt.blockNumber) + DELAY);
    for (const { id } of [expel, retireResearcher]) {
      await expectCustomError(fn("execute")(id), c, "ConsortiumMajorityNotReached", [id, 1n, 2n]);
    }
    await send(h1, "vote", retireResearcher.id);
    await send(outsider, "execute", retireResearcher.id);
    expect(await read("roleOf", 3n)).toBe(Role.None);
    // Neither hospital can expel the other alone; with the other's own vote it goes.
    await send(h2, "vote", expel.id);
    await send(outsider, "execute", expel.id);
    expect(await read("roleOf", H2)).toBe(Role.None);
    expect(await read("hospitalCount")).toBe(1n);
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
    for (const who of [outsider, regulator, h1Recorder]) {
      await expectCustomError(fn("vote", who)(id), c, "ConsortiumNotHospitalAdmin", [who.address]);
    }
    await expectCustomError(fn("vote", h2)(7n), c, "ConsortiumUnknownProposal", [7n]);
    await expectCustomError(fn("vote", h1)(id), c, "ConsortiumAlreadyVoted", [id, H1]);
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
    for (const who of [regulator, h1Recorder]) {
      await expectCustomError(fn("cancel", who)(id), c, "ConsortiumNotHospitalAdmin", [
        who.address,
      ]);
    }
    await expectCustomError(fn("cancel", h1)(9n), c, "ConsortiumUnknownProposal", [9n]);
    await send(h1, "addAccount", free[0].address);
    const receipt = await send(free[0], "cancel", id);
    expect(events(receipt, "ProposalCancelled")).toEqual([[id, free[0].address]]);
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

describe("Consortium MAX_HOSPITALS", () => {
  it(`bootstraps ${MAX_HOSPITALS} hospitals and refuses a proposal for one more`, async () => {
    c = await deploy(manyHospitals(MAX_HOSPITALS));
    expect(await read("hospitalCount")).toBe(BigInt(MAX_HOSPITALS));
    expect(await read<string[]>("validators")).toHaveLength(MAX_HOSPITALS);
    await expectCustomError(
      fn("proposeAddOrganisation", h1)(hospital([free[0].address], V_NEW)),
      c,
      "ConsortiumTooManyHospitals",
      [BigInt(MAX_HOSPITALS)],
    );
    // The cap is on hospitals only.
    await propose(h1, "proposeAddOrganisation", nonHospital(Role.Researcher, [free[0].address]));
    expect(await read("proposalCount")).toBe(1n);
  });

  it("checks the cap again at execution", async () => {
    const inits = manyHospitals(MAX_HOSPITALS - 1);
    c = await deploy(inits, DELAY, 200n);
    const others: HardhatEthersSigner[] = [];
    for (const init of inits.slice(1, 33)) others.push(await impersonate(init.accounts[0] ?? ZERO));
    const last = await propose(h1, "proposeAddOrganisation", hospital([free[0].address], V_NEW));
    const oneTooMany = await propose(
      h1,
      "proposeAddOrganisation",
      hospital([free[1].address], addr("55")),
    );
    // 32 of 63 votes pass the first; 33 of 64 the second once the first brought 64 hospitals.
    for (const voter of others.slice(0, 31)) await send(voter, "vote", last.id);
    for (const voter of others) await send(voter, "vote", oneTooMany.id);
    await nextTxInBlock(BigInt(oneTooMany.receipt.blockNumber) + DELAY);
    await send(outsider, "execute", last.id);
    expect(await read("hospitalCount")).toBe(BigInt(MAX_HOSPITALS));
    await expectCustomError(fn("execute")(oneTooMany.id), c, "ConsortiumTooManyHospitals", [
      BigInt(MAX_HOSPITALS),
    ]);
  });
});
