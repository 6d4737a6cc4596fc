import {
  AbiCoder,
  type EventFragment,
  getAddress,
  hexlify,
  type Interface,
  type ParamType,
  zeroPadValue,
} from "ethers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AuditContracts,
  type AuditEntry,
  type AuditLog,
  auditEntryRefs,
  projectAuditLog,
} from "../../src/audit/index.ts";
import { accessLedgerAbi, consentRegistryAbi, consortiumAbi } from "../../src/contracts/index.ts";
import {
  consortiumRoles,
  type LedgerContractName,
  ledgerContracts,
  proposalKinds,
} from "../../src/ledger/index.ts";
import { expectCustosError } from "../expectCustosError.ts";

/**
 * The projection against ethers: for every event of the three ABIs, random arguments are
 * encoded with ethers and the projected fields compared with ethers' own decoding (the fast
 * word path and the ethers path must agree); then the labels, enums, payloads and refusals.
 */
const contracts: AuditContracts = {
  consortium: "0x1000000000000000000000000000000000000001",
  consentRegistry: "0x2000000000000000000000000000000000000002",
  accessLedger: "0x3000000000000000000000000000000000000003",
};
const addressOf: Record<LedgerContractName, string> = {
  Consortium: contracts.consortium,
  ConsentRegistry: contracts.consentRegistry,
  AccessLedger: contracts.accessLedger,
};
const names: LedgerContractName[] = ["AccessLedger", "ConsentRegistry", "Consortium"];

const events: { contract: LedgerContractName; iface: Interface; fragment: EventFragment }[] = [];
for (const contract of names) {
  const { iface } = ledgerContracts[contract];
  iface.forEachEvent((fragment) => {
    events.push({ contract, iface, fragment });
  });
}

const rawAbis: Record<LedgerContractName, readonly unknown[]> = {
  AccessLedger: accessLedgerAbi,
  ConsentRegistry: consentRegistryAbi,
  Consortium: consortiumAbi,
};

/** Each input's Solidity internal type (enums are uint8 to ethers), from the generated ABI. */
function internalTypes(contract: LedgerContractName, event: string): string[] {
  const entry = rawAbis[contract].find(
    (e) =>
      (e as { type: string; name?: string }).type === "event" &&
      (e as { name: string }).name === event,
  ) as { inputs: { internalType: string }[] };
  return entry.inputs.map((i) => i.internalType);
}

const enumSizes: Record<string, number> = {
  "enum IConsortium.Role": consortiumRoles.length,
  "enum Consortium.ProposalKind": proposalKinds.length,
};

function arbitraryOf(param: ParamType, enumSize?: number): fc.Arbitrary<unknown> {
  if (param.baseType === "array") {
    return fc.array(arbitraryOf(param.arrayChildren as ParamType), { maxLength: 5 });
  }
  if (param.baseType === "tuple") {
    return fc.tuple(...(param.components ?? []).map((c) => arbitraryOf(c)));
  }
  if (param.baseType === "address") {
    return fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(hexlify(b)));
  }
  if (param.baseType === "bool") return fc.boolean();
  if (param.baseType === "bytes") return fc.uint8Array({ maxLength: 70 }).map((b) => hexlify(b));
  const fixed = /^bytes(\d+)$/.exec(param.baseType);
  if (fixed !== null) {
    const n = Number(fixed[1]);
    return fc.uint8Array({ minLength: n, maxLength: n }).map((b) => hexlify(b));
  }
  const bits = Number(/^uint(\d+)$/.exec(param.baseType)?.[1] ?? 256);
  if (enumSize !== undefined) return fc.integer({ min: 0, max: enumSize - 1 }).map(BigInt);
  return fc.oneof(
    fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
    fc.constantFrom(0n, (1n << BigInt(bits)) - 1n),
  );
}

/** The JSON form the audit model promises, computed from ethers' decoded value. */
function expectedJson(value: unknown, param: ParamType): unknown {
  if (param.baseType === "array") {
    return Array.from(value as unknown[], (v) => expectedJson(v, param.arrayChildren as ParamType));
  }
  if (param.baseType === "tuple") {
    return Object.fromEntries(
      (param.components ?? []).map((c, i) => [c.name, expectedJson((value as unknown[])[i], c)]),
    );
  }
  if (typeof value === "bigint") {
    const bits = Number(/^uint(\d+)$/.exec(param.baseType)?.[1] ?? 256);
    return bits <= 48 ? Number(value) : value.toString();
  }
  if (param.baseType === "address") return getAddress(value as string);
  if (typeof value === "string") return value.toLowerCase();
  return value;
}

function logOf(
  contract: LedgerContractName,
  encoded: { data: string; topics: readonly string[] },
): AuditLog {
  return {
    address: addressOf[contract],
    topics: encoded.topics,
    data: encoded.data,
    blockNumber: 7,
    blockHash: `0x${"AB".repeat(32)}`,
    blockTimestamp: 1_800_000_000,
    transactionHash: `0x${"CD".repeat(32)}`,
    transactionIndex: 2,
    logIndex: 5,
  };
}

describe("projectAuditLog", () => {
  it("decodes every event of the three contracts as ethers does, enums named", () => {
    expect(events.length).toBe(33);
    for (const { contract, iface, fragment } of events) {
      const enums = internalTypes(contract, fragment.name);
      const args = fc.tuple(
        ...fragment.inputs.map((input, i) => arbitraryOf(input, enumSizes[enums[i] ?? ""])),
      );
      fc.assert(
        fc.property(args, (values) => {
          const encoded = iface.encodeEventLog(fragment, values);
          const entry = projectAuditLog(logOf(contract, encoded), contracts);
          const decoded = iface.decodeEventLog(fragment, encoded.data, encoded.topics);
          const fields = entry?.fields as Record<string, unknown>;
          fragment.inputs.forEach((input, i) => {
            let expected = expectedJson(decoded[i], input);
            const kind = enums[i];
            if (kind === "enum IConsortium.Role") expected = consortiumRoles[expected as number];
            if (kind === "enum Consortium.ProposalKind")
              expected = proposalKinds[expected as number];
            expect(fields[input.name], `${fragment.name}.${input.name}`).toEqual(expected);
          });
          expect(entry?.event).toBe(fragment.name);
          expect(entry?.contract).toBe(contract);
        }),
        { numRuns: 25 },
      );
    }
  });

  it("locates the entry with lowercase hashes and names its actor", () => {
    const { iface } = ledgerContracts.AccessLedger;
    const recorder = getAddress(`0x${"9a".repeat(20)}`);
    const encoded = iface.encodeEventLog("QueryDeclined", [5n, 2n, 6n, recorder, 7n]);
    expect(projectAuditLog(logOf("AccessLedger", encoded), contracts)).toEqual({
      event: "QueryDeclined",
      contract: "AccessLedger",
      area: "query",
      at: {
        blockNumber: 7,
        blockHash: `0x${"ab".repeat(32)}`,
        blockTimestamp: 1_800_000_000,
        txHash: `0x${"cd".repeat(32)}`,
        txIndex: 2,
        logIndex: 5,
      },
      actor: recorder,
      fields: {
        queryId: "5",
        hospitalId: 2,
        researcherOrg: 6,
        recorder,
        reasonCode: 7,
        reason: "cohortTooSmall",
      },
    });
    const unknownReason = iface.encodeEventLog("QueryDeclined", [5n, 2n, 6n, recorder, 999n]);
    expect(projectAuditLog(logOf("AccessLedger", unknownReason), contracts)?.fields).toMatchObject({
      reason: null,
    });
  });

  it("projects a site-trail anchor into its own area, the recorder acting, filed under nothing else", () => {
    const { iface } = ledgerContracts.AccessLedger;
    const recorder = getAddress(`0x${"7c".repeat(20)}`);
    const head = `0x${"5e".repeat(32)}`;
    const encoded = iface.encodeEventLog("SiteTrailAnchored", [3n, recorder, 2n ** 64n - 1n, head]);
    const entry = projectAuditLog(logOf("AccessLedger", encoded), contracts);
    expect(entry).toMatchObject({
      event: "SiteTrailAnchored",
      contract: "AccessLedger",
      area: "siteTrail",
      actor: recorder,
      fields: { hospitalId: 3, recorder, sequence: "18446744073709551615", head },
    });
    expect(auditEntryRefs(entry as AuditEntry)).toEqual({
      queryId: null,
      subjects: [],
      budget: null,
      consentChange: null,
      governance: false,
    });
  });

  it("labels purposes and categories, leaving unknown bits to the raw words", () => {
    const { iface } = ledgerContracts.AccessLedger;
    const researcher = getAddress(`0x${"11".repeat(20)}`);
    const use = 4 | 1024 | (1 << 30);
    const encoded = iface.encodeEventLog("QuerySubmitted", [
      2n ** 64n - 1n,
      6n,
      4n,
      researcher,
      `0x${"22".repeat(32)}`,
      use,
      1 | 8 | (1 << 20),
      [1, 2],
      `0x${"33".repeat(32)}`,
      2_000_000_000,
    ]);
    const entry = projectAuditLog(logOf("AccessLedger", encoded), contracts);
    expect(entry?.fields).toMatchObject({
      queryId: "18446744073709551615",
      purpose: 4,
      use,
      purposeLabel: "HMB",
      useLabels: ["HMB", "IRB"],
      categoryNames: ["DEMOGRAPHICS", "DRUGS"],
      targets: [1, 2],
      expiry: 2_000_000_000,
    });
    expect(entry?.actor).toBe(researcher);
    const registry = ledgerContracts.ConsentRegistry.iface;
    const granted = registry.encodeEventLog("ConsentGranted", [
      `0x${"44".repeat(32)}`,
      1n,
      researcher,
      1n,
      2 | 256,
      1 << 10,
      0n,
      0n,
      `0x${"55".repeat(32)}`,
    ]);
    expect(projectAuditLog(logOf("ConsentRegistry", granted), contracts)?.fields).toMatchObject({
      purposeLabels: ["GRU", "NCU"],
      categoryNames: ["GENOMICS"],
    });
  });

  it("names a skipped transfer's reason and a never-emitted EIP-712 domain change", () => {
    const registry = ledgerContracts.ConsentRegistry.iface;
    const selector = registry.getError("ConsentRegistryTargetExists")?.selector as string;
    const skipped = registry.encodeEventLog("SubjectTransferSkipped", [
      `0x${"01".repeat(32)}`,
      1n,
      2n,
      `0x${"02".repeat(32)}`,
      selector,
    ]);
    expect(projectAuditLog(logOf("ConsentRegistry", skipped), contracts)?.fields).toMatchObject({
      reason: selector,
      reasonName: "ConsentRegistryTargetExists",
    });
    const unknown = registry.encodeEventLog("SubjectTransferSkipped", [
      `0x${"01".repeat(32)}`,
      1n,
      2n,
      `0x${"02".repeat(32)}`,
      "0xdeadbeef",
    ]);
    expect(projectAuditLog(logOf("ConsentRegistry", unknown), contracts)?.fields).toMatchObject({
      reasonName: null,
    });
    const domain = registry.encodeEventLog("EIP712DomainChanged", []);
    expect(projectAuditLog(logOf("ConsentRegistry", domain), contracts)).toMatchObject({
      event: "EIP712DomainChanged",
      area: "governance",
      actor: null,
      fields: {},
    });
  });

  it("decodes each kind of proposal payload", () => {
    const consortium = ledgerContracts.Consortium.iface;
    const coder = AbiCoder.defaultAbiCoder();
    const account = getAddress(`0x${"66".repeat(20)}`);
    const validator = getAddress(`0x${"77".repeat(20)}`);
    const setApprovals = ledgerContracts.AccessLedger.iface.encodeFunctionData(
      "setRequiredApprovals",
      [2],
    );
    const cases: [number, string, unknown][] = [
      [
        0,
        coder.encode(
          ["tuple(uint8,bytes32,address[],address[],address)"],
          [[1, `0x${"88".repeat(32)}`, [account], [validator], validator]],
        ),
        {
          kind: "addOrganisation",
          role: "hospital",
          metadata: `0x${"88".repeat(32)}`,
          accounts: [account],
          recorders: [validator],
          validator,
        },
      ],
      [1, coder.encode(["uint32"], [9]), { kind: "removeOrganisation", orgId: 9 }],
      [
        2,
        coder.encode(["uint32", "uint8"], [9, 4]),
        { kind: "changeRole", orgId: 9, role: "reviewBoard" },
      ],
      [
        3,
        coder.encode(["uint32", "address"], [2, validator]),
        { kind: "setValidator", hospitalId: 2, validator },
      ],
      [
        4,
        coder.encode(["address", "bytes"], [contracts.accessLedger, setApprovals]),
        {
          kind: "call",
          target: getAddress(contracts.accessLedger),
          data: setApprovals,
          contract: "AccessLedger",
          function: "setRequiredApprovals",
          args: { requiredApprovals_: 2 },
        },
      ],
      [
        4,
        coder.encode(["address", "bytes"], [account, "0x1234"]),
        {
          kind: "call",
          target: account,
          data: "0x1234",
          contract: null,
          function: null,
          args: null,
        },
      ],
      [1, "0x1234", null],
      [2, coder.encode(["uint32", "uint8"], [9, 9]), null],
    ];
    for (const [kind, payload, action] of cases) {
      const encoded = consortium.encodeEventLog("ProposalCreated", [
        3n,
        1n,
        account,
        kind,
        payload,
        10n,
        20n,
      ]);
      const entry = projectAuditLog(logOf("Consortium", encoded), contracts);
      expect(entry?.fields, String(kind)).toMatchObject({
        proposalId: "3",
        kind: proposalKinds[kind],
        payload: payload.toLowerCase(),
        executableFrom: "10",
        expiresAt: "20",
        action,
      });
      expect(entry?.actor).toBe(account);
    }
  });

  it("returns null for a log of another contract, whatever it holds", () => {
    const encoded = ledgerContracts.AccessLedger.iface.encodeEventLog(
      "RequiredApprovalsChanged",
      [1, 2],
    );
    const log = { ...logOf("AccessLedger", encoded), address: `0x${"44".repeat(20)}` };
    expect(projectAuditLog(log, contracts)).toBeNull();
    expect(projectAuditLog({ ...log, topics: [], data: "0xzz" }, contracts)).toBeNull();
    expect(
      projectAuditLog(
        {
          ...logOf("AccessLedger", encoded),
          address: contracts.accessLedger.toUpperCase().replace("0X", "0x"),
        },
        contracts,
      )?.event,
    ).toBe("RequiredApprovalsChanged");
  });

  it("refuses a Custos log that is none of its contract's events or not canonical", () => {
    const { iface } = ledgerContracts.AccessLedger;
    const good = iface.encodeEventLog("RequiredApprovalsChanged", [1, 2]);
    const word = (n: number) => zeroPadValue(`0x${n.toString(16).padStart(2, "0")}`, 32).slice(2);
    const bad: AuditLog[] = [
      // An event of another contract at this address, and no event at all.
      logOf(
        "AccessLedger",
        ledgerContracts.Consortium.iface.encodeEventLog("OrganisationRemoved", [1]),
      ),
      { ...logOf("AccessLedger", good), topics: [] },
      // One word short, one too many, not hex.
      { ...logOf("AccessLedger", good), data: `0x${word(1)}` },
      { ...logOf("AccessLedger", good), data: `${good.data}${word(3)}` },
      { ...logOf("AccessLedger", good), data: `0x${"zz".repeat(64)}` },
      // A uint8 word with bits above 8 set.
      { ...logOf("AccessLedger", good), data: `0x${word(1).replace(/^00/, "01")}${word(2)}` },
      // A topic too many.
      { ...logOf("AccessLedger", good), topics: [...good.topics, `0x${word(1)}`] },
    ];
    const declined = iface.encodeEventLog("QueryDeclined", [
      5n,
      2n,
      6n,
      getAddress(`0x${"9a".repeat(20)}`),
      7n,
    ]);
    bad.push(
      // An address word with dirty high bytes, an indexed topic that is not 32 bytes.
      {
        ...logOf("AccessLedger", declined),
        data: `0x${"ff".repeat(12)}${declined.data.slice(26)}`,
      },
      {
        ...logOf("AccessLedger", declined),
        topics: [declined.topics[0] as string, "0x05", ...declined.topics.slice(2)],
      },
    );
    const approved = iface.encodeEventLog("QueryApproved", [
      1n,
      7n,
      getAddress(`0x${"9b".repeat(20)}`),
      1n,
      true,
    ]);
    bad.push({ ...logOf("AccessLedger", approved), data: `${approved.data.slice(0, -1)}2` });
    for (const log of bad) {
      const error = expectCustosError(
        () => projectAuditLog(log, contracts),
        "AUDIT_EVENT_UNDECODABLE",
      );
      expect(error.details).toMatchObject({
        contract: "AccessLedger",
        blockNumber: 7,
        logIndex: 5,
      });
    }
  });
});
