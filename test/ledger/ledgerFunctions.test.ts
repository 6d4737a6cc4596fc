import { Contract, Interface, ZeroAddress } from "ethers";
import { describe, expect, expectTypeOf, it } from "vitest";
import { consentRegistryAbi } from "../../src/contracts/index.ts";
import type { Hex } from "../../src/ledger/abiValues.ts";
import { ledgerContracts } from "../../src/ledger/index.ts";
import { ledgerFunctions } from "../../src/ledger/ledgerFunctions.ts";
import { callLedgerView, sendLedgerTransaction } from "../../src/ledger/ledgerTransaction.ts";

const registry = ledgerContracts.ConsentRegistry;
const { functions } = registry;
const subject: Hex = `0x${"11".repeat(32)}`;
const documentHash: Hex = `0x${"22".repeat(32)}`;
const terms = { purposes: 3, categories: 5, validFrom: 10, validUntil: 0 };

describe("ledgerFunctions", () => {
  it("encodes exactly what ethers encodes from positional arguments, tuples by field name", () => {
    expect(functions.grant.encode([7, subject, terms, documentHash])).toBe(
      registry.iface.encodeFunctionData("grant", [7, subject, [3, 5, 10, 0], documentHash]),
    );
    expect(functions.batchRevoke.encode([7, [subject], [documentHash]])).toBe(
      registry.iface.encodeFunctionData("batchRevoke", [7, [subject], [documentHash]]),
    );
  });

  it("decodes a single output as the value and a tuple as an object by field name", () => {
    const record = [3n, 5n, 10n, 0n, 1n, 2n, 7n, 4n];
    const consent = functions.consentOf.decode(
      registry.iface.encodeFunctionResult("consentOf", [record]),
    );
    expect(consent).toEqual({
      purposes: 3,
      categories: 5,
      validFrom: 10,
      validUntil: 0,
      status: 1,
      version: 2,
      custodian: 7,
      nonce: 4,
    });
    expectTypeOf(consent.status).toEqualTypeOf<number>();
    const nonce = functions.nonceOf.decode(registry.iface.encodeFunctionResult("nonceOf", [9n]));
    expect(nonce).toBe(9);
    expectTypeOf(nonce).toEqualTypeOf<number>();
  });

  it("decodes several outputs as an object by output name", () => {
    const ledger = ledgerContracts.AccessLedger;
    const data = ledger.iface.encodeFunctionResult("budget", [10n, 4n]);
    const budget = ledger.functions.budget.decode(data);
    expect(budget).toEqual({ limit: 10n, spent: 4n });
    expectTypeOf(budget).toEqualTypeOf<{ readonly limit: bigint; readonly spent: bigint }>();
    expect(
      ledger.functions.budget.result(ledger.iface.decodeFunctionResult("budget", data)),
    ).toEqual(budget);
  });

  it("has one entry per ABI function, named as in the ABI", () => {
    const names = consentRegistryAbi.filter((e) => e.type === "function").map((e) => e.name);
    expect(Object.keys(functions).sort()).toEqual([...names].sort());
    const local = ledgerFunctions(consentRegistryAbi, new Interface(consentRegistryAbi));
    expect(local.revoke.fragment.format()).toBe("revoke(uint32,bytes32,bytes32)");
  });

  it("turns a renamed function, a wrong argument list or a changed result shape into type errors", async () => {
    // Each @ts-expect-error is checked by tsc (npm run typecheck includes test/): it fails
    // once the line compiles, e.g. because the contract gained a function of that name. The
    // runtime assertions show what the line would do without the type check.
    // @ts-expect-error ConsentRegistry has no function consentFor
    expect(functions.consentFor).toBeUndefined();
    // @ts-expect-error consentOf takes (custodian, subject), not the subject alone
    expect(() => functions.consentOf.encode([subject])).toThrow();
    // @ts-expect-error a struct argument must carry every field by its ABI name
    expect(() => functions.grant.encode([1, subject, { purposes: 3 }, documentHash])).toThrow();
    // ethers would take a positional tuple, so a reordered struct would go unnoticed:
    // @ts-expect-error terms are a struct with named fields, not a positional tuple
    expect(functions.grant.encode([1, subject, [3, 5, 10, 0], documentHash])).toBe(
      functions.grant.encode([1, subject, terms, documentHash]),
    );
    const record = [3n, 5n, 10n, 0n, 1n, 2n, 7n, 4n];
    const consent = functions.consentOf.decode(
      registry.iface.encodeFunctionResult("consentOf", [record]),
    );
    // @ts-expect-error the record has no field "state" (it is "status")
    expect(consent.state).toBeUndefined();
    // @ts-expect-error results are objects by field name, not positional tuples
    expect(consent[0]).toBeUndefined();
    const ledger = ledgerContracts.AccessLedger;
    const budget = ledger.functions.budget.decode(
      ledger.iface.encodeFunctionResult("budget", [10n, 4n]),
    );
    // @ts-expect-error uint64 outputs are bigint, not number
    const limit: number = budget.limit;
    expect(typeof limit).toBe("bigint");

    // A handle without a runner: every call fails at runtime, after the type checks.
    const handle = { contract: new Contract(ZeroAddress, registry.iface), abi: registry, abis: [] };
    const view = callLedgerView(handle, functions.nonceOf, [1, subject]);
    expectTypeOf(view).resolves.toBeNumber();
    await expect(view).rejects.toThrow();
    // @ts-expect-error a state-changing function cannot be read as a view
    const viewOfWrite = callLedgerView(handle, functions.revoke, [1, subject, documentHash]);
    await expect(viewOfWrite).rejects.toThrow();
    // @ts-expect-error a view cannot be sent as a transaction
    const sentView = sendLedgerTransaction(handle, functions.nonceOf, [1, subject]);
    await expect(sentView).rejects.toThrow();
    const { isMember } = ledgerContracts.Consortium.functions;
    // @ts-expect-error a function of another contract cannot be called on this handle
    const foreign = callLedgerView(handle, isMember, [ZeroAddress]);
    await expect(foreign).rejects.toThrow();
  });
});
