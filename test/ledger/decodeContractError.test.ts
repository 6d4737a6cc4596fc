import { BrowserProvider, Interface, JsonRpcProvider, makeError, Network, Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import { CustosError, errorCodes } from "../../src/errors/index.ts";
import {
  allLedgerContracts,
  contractErrorCodes,
  createConsentRegistryClient,
  decodeContractError,
  findRevertData,
  ledgerContracts,
} from "../../src/ledger/index.ts";
import { connectLedger, doc, expectLedgerError, ORG, subject } from "./ledgerFixture.ts";

const env = await connectLedger();
const { accounts } = env;
const registryIface = ledgerContracts.ConsentRegistry.iface;
/** A CALL_EXCEPTION as ethers builds it for a reverted eth_call. */
const callException = (data: string) =>
  makeError("execution reverted", "CALL_EXCEPTION", {
    action: "call",
    data,
    reason: null,
    transaction: { to: null, data: "0x" },
    invocation: null,
    revert: null,
  });
const alreadyActive = registryIface.encodeErrorResult("ConsentRegistryAlreadyActive", [
  subject("s"),
  3,
]);

describe("decodeContractError", () => {
  it("maps every listed contract error to a registered code; only wrappers and deploy-time errors are unmapped", () => {
    const declared = new Set<string>();
    for (const contract of allLedgerContracts) {
      contract.iface.forEachError((fragment) => {
        declared.add(fragment.name);
      });
    }
    for (const [name, code] of Object.entries(contractErrorCodes)) {
      expect(declared.has(name), name).toBe(true);
      expect(Object.hasOwn(errorCodes, code)).toBe(true);
    }
    const unmapped = [...declared].filter((name) => !Object.hasOwn(contractErrorCodes, name));
    // BatchItemRejected and CallFailed take their code from the inner error; the other two
    // come from OpenZeppelin's EIP712 constructor and cannot occur after deployment.
    expect(unmapped.sort()).toEqual([
      "ConsentRegistryBatchItemRejected",
      "ConsortiumCallFailed",
      "InvalidShortString",
      "StringTooLong",
    ]);
  });

  it("maps the errors of records, signatures, bindings and snapshots to their codes", () => {
    const ledgerIface = ledgerContracts.AccessLedger.iface;
    const consortiumIface = ledgerContracts.Consortium.iface;
    const cases = [
      [registryIface, "ConsentRegistryStaleSignature", [subject("s"), 3, 2], "SIGNATURE_STALE"],
      [
        registryIface,
        "ConsentRegistryNotRecorder",
        [2, accounts.outsider.address],
        "CONSENT_UNAUTHORISED",
      ],
      [
        registryIface,
        "ConsentRegistryNotConsortium",
        [accounts.outsider.address],
        "MEMBERSHIP_DENIED",
      ],
      [registryIface, "ConsentRegistryNotHospital", [9], "LEDGER_INVALID_INPUT"],
      [registryIface, "ConsentRegistryTargetExists", [subject("t")], "LEDGER_CONFLICT"],
      [ledgerIface, "AccessLedgerInvalidConsentBlock", [1, 2, 3, 4], "LEDGER_INVALID_INPUT"],
      [ledgerIface, "AccessLedgerResearcherNotActive", [1, 3], "MEMBERSHIP_DENIED"],
      [ledgerIface, "AccessLedgerSelfApproval", [1, 3], "MEMBERSHIP_DENIED"],
      [
        ledgerIface,
        "AccessLedgerNotHospitalAdmin",
        [1, accounts.outsider.address],
        "MEMBERSHIP_DENIED",
      ],
      [consortiumIface, "ConsortiumNotAdmin", [accounts.outsider.address], "MEMBERSHIP_DENIED"],
      [
        consortiumIface,
        "ConsortiumNotHospitalAdmin",
        [accounts.outsider.address],
        "MEMBERSHIP_DENIED",
      ],
      [
        consortiumIface,
        "ConsortiumRecorderIsAdmin",
        [accounts.outsider.address],
        "LEDGER_INVALID_INPUT",
      ],
      [consortiumIface, "ConsortiumTooManyHospitals", [64], "LEDGER_CONFLICT"],
    ] as const;
    for (const [iface, name, args, code] of cases) {
      const decoded = decodeContractError(callException(iface.encodeErrorResult(name, [...args])));
      expect([name, decoded.code]).toEqual([name, code]);
      expect(decoded.details).toMatchObject({ error: name });
    }
    const stale = decodeContractError(
      callException(
        registryIface.encodeErrorResult("ConsentRegistryStaleSignature", [subject("s"), 3, 2]),
      ),
    );
    expect(stale.details).toMatchObject({
      contract: "ConsentRegistry",
      args: { subject: subject("s"), current: "3", signed: "2" },
    });
  });

  it("finds revert data wherever providers nest it", () => {
    expect(findRevertData({ data: alreadyActive })).toBe(alreadyActive);
    expect(findRevertData({ info: { error: { code: 3, data: alreadyActive } } })).toBe(
      alreadyActive,
    );
    expect(findRevertData({ error: { error: { data: { data: alreadyActive } } } })).toBe(
      alreadyActive,
    );
    expect(findRevertData(new Error("wrapped", { cause: { data: alreadyActive } }))).toBe(
      alreadyActive,
    );
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: 3, data: alreadyActive } });
    expect(findRevertData({ info: { responseBody: body } })).toBe(alreadyActive);
    expect(findRevertData({ data: "0x" })).toBe("0x");
    expect(findRevertData({ message: "socket hang up" })).toBeUndefined();
  });

  it("decodes custom errors, built-in reverts and unknown data", () => {
    const decoded = decodeContractError(callException(alreadyActive));
    expect(decoded.code).toBe("CONSENT_ALREADY_ACTIVE");
    expect(decoded.details).toEqual({
      contract: "ConsentRegistry",
      error: "ConsentRegistryAlreadyActive",
      args: { subject: subject("s"), version: "3" },
      data: alreadyActive,
    });
    expect(decoded.cause).toBeInstanceOf(Error);

    const builtin = new Interface(["error Error(string message)", "error Panic(uint256 code)"]);
    const panic = decodeContractError({ data: builtin.encodeErrorResult("Panic", [0x11]) });
    expect(panic.code).toBe("LEDGER_CONTRACT_REVERTED");
    expect(panic.details).toMatchObject({ contract: null, error: "Panic", args: { code: "17" } });
    const reason = decodeContractError({ data: builtin.encodeErrorResult("Error", ["nope"]) });
    expect(reason.details).toMatchObject({ error: "Error", args: { message: "nope" } });

    const unknown = decodeContractError({ code: "CALL_EXCEPTION", data: "0xdeadbeef00" });
    expect(unknown.code).toBe("LEDGER_CONTRACT_REVERTED");
    expect(unknown.details).toEqual({
      contract: null,
      error: null,
      args: {},
      data: "0xdeadbeef00",
    });
    const empty = decodeContractError(callException("0x"));
    expect(empty.code).toBe("LEDGER_CONTRACT_REVERTED");
    expect(empty.details).toMatchObject({ data: null, error: null });

    const batch = decodeContractError({
      data: registryIface.encodeErrorResult("ConsentRegistryBatchItemRejected", [
        4,
        subject("b"),
        registryIface.getError("ConsentRegistryUnauthorised")?.selector,
      ]),
    });
    expect(batch.code).toBe("CONSENT_UNAUTHORISED");
    expect(batch.details).toMatchObject({
      error: "ConsentRegistryBatchItemRejected",
      reason: "ConsentRegistryUnauthorised",
      args: { index: "4", subject: subject("b") },
    });
    const strangeBatch = decodeContractError({
      data: registryIface.encodeErrorResult("ConsentRegistryBatchItemRejected", [
        0,
        subject("b"),
        "0x12345678",
      ]),
    });
    expect(strangeBatch.code).toBe("LEDGER_CONTRACT_REVERTED");
    expect(strangeBatch.details).toMatchObject({ reason: "0x12345678" });
  });

  it("maps non-revert failures by kind and passes CustosErrors through", () => {
    const own = new CustosError("INVALID_ARGUMENT", "x");
    expect(decodeContractError(own)).toBe(own);
    expect(
      decodeContractError(makeError("funds", "INSUFFICIENT_FUNDS", { transaction: {} })).code,
    ).toBe("LEDGER_TRANSACTION_REJECTED");
    expect(
      decodeContractError(makeError("bad", "INVALID_ARGUMENT", { argument: "x", value: 1 })).code,
    ).toBe("INVALID_ARGUMENT");
    expect(decodeContractError(makeError("undecodable", "BAD_DATA", { value: "0x" })).code).toBe(
      "LEDGER_BAD_RESPONSE",
    );
    expect(decodeContractError(new DOMException("stop", "AbortError")).code).toBe("LEDGER_ABORTED");
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const unavailable = decodeContractError(refused);
    expect(unavailable.code).toBe("LEDGER_UNAVAILABLE");
    expect(unavailable.cause).toBe(refused);
  });

  it("tells a call the node stopped or refused from a revert without data", () => {
    // ethers reports every error answer to eth_estimateGas as a revert without data.
    const answered = (error: Record<string, unknown>) =>
      makeError("missing revert data", "CALL_EXCEPTION", {
        action: "estimateGas",
        data: null,
        reason: null,
        transaction: { to: null, data: "0x" },
        invocation: null,
        revert: null,
        info: { error, payload: { method: "eth_estimateGas" } },
      });
    const timeout = decodeContractError(
      answered({
        code: -32000,
        message: "execution aborted (timeout = 5s)",
        data: { code: "RPC_CALL_TIMEOUT", details: { timeoutMs: 5000 } },
      }),
    );
    expect([timeout.code, timeout.details]).toEqual([
      "LEDGER_UNAVAILABLE",
      { reason: "RPC_CALL_TIMEOUT" },
    ]);
    const geth = decodeContractError(
      answered({ code: -32000, message: "execution aborted (timeout = 5s)" }),
    );
    expect([geth.code, geth.details]).toEqual([
      "LEDGER_UNAVAILABLE",
      { reason: "RPC_CALL_TIMEOUT" },
    ]);
    const refused = decodeContractError(
      answered({ code: -32602, message: "bad block tag", data: { code: "RPC_INVALID_PARAMS" } }),
    );
    expect([refused.code, refused.details]).toEqual([
      "LEDGER_TRANSACTION_REJECTED",
      { reason: "RPC_INVALID_PARAMS" },
    ]);
    // A halt ran the contract: it stays the contract's failure.
    const halt = decodeContractError(
      answered({
        code: -32000,
        message: "invalid opcode",
        data: { code: "RPC_EXECUTION_FAILED", details: { reason: "invalid opcode" } },
      }),
    );
    expect(halt.code).toBe("LEDGER_CONTRACT_REVERTED");
  });
});

describe("ledger error codes provoked on Hardhat's network", () => {
  it("decodes reverts the ethers JSON-RPC provider reports as CALL_EXCEPTION", async () => {
    const stack = await env.deploy();
    const browser = new BrowserProvider(env.connection.provider);
    const signer = await browser.getSigner(accounts.recorderA.address);
    const registry = createConsentRegistryClient({
      address: stack.addresses.registry,
      runner: signer,
      custodian: ORG.hospitalA,
    });
    const error = await expectLedgerError(
      registry.revoke(subject("none"), doc("x")),
      "CONSENT_NOT_ACTIVE",
      {
        error: "ConsentRegistryNotActive",
        args: { subject: subject("none"), status: "0" },
      },
    );
    expect((error.cause as { code?: string }).code).toBe("CALL_EXCEPTION");
  });

  it("LEDGER_TRANSACTION_REJECTED: the node refuses a sender without funds", async () => {
    const stack = await env.deploy();
    const poor = Wallet.createRandom().connect(new BrowserProvider(env.connection.provider));
    const registry = createConsentRegistryClient({
      address: stack.addresses.registry,
      runner: poor,
      custodian: ORG.hospitalA,
    });
    await expectLedgerError(
      registry.revoke(subject("s"), doc("s"), { gasLimit: 100_000n }),
      "LEDGER_TRANSACTION_REJECTED",
    );
  });

  it("LEDGER_BAD_RESPONSE: no contract at the address", async () => {
    const registry = createConsentRegistryClient({
      address: accounts.outsider.address,
      runner: env.ethers.provider,
      custodian: ORG.hospitalA,
    });
    await expectLedgerError(registry.nonceOf(subject("s")), "LEDGER_BAD_RESPONSE");
  });

  it("LEDGER_UNAVAILABLE: the node cannot be reached", async () => {
    const dead = new JsonRpcProvider("http://127.0.0.1:9", undefined, {
      staticNetwork: Network.from(31337),
    });
    try {
      const registry = createConsentRegistryClient({
        address: accounts.outsider.address,
        runner: dead,
        custodian: ORG.hospitalA,
      });
      const error = await expectLedgerError(registry.consentOf(subject("s")), "LEDGER_UNAVAILABLE");
      expect(error.cause).toBeDefined();
    } finally {
      dead.destroy();
    }
  });

  it("LEDGER_ABORTED: before sending, and while waiting for a receipt", async () => {
    const stack = await env.deploy();
    const registry = stack.registry(accounts.recorderA);
    const before = new AbortController();
    before.abort();
    const notSent = await expectLedgerError(
      registry.grant(
        {
          subject: subject("ab"),
          documentHash: doc("ab"),
          purposes: 2,
          categories: 1,
          validFrom: 0,
          validUntil: 0,
        },
        { signal: before.signal },
      ),
      "LEDGER_ABORTED",
    );
    expect(notSent.details).toEqual({ sent: false });
    expect((await registry.consentOf(subject("ab"))).status).toBe("none");

    await env.ethers.provider.send("evm_setAutomine", [false]);
    try {
      const during = new AbortController();
      const pending = registry.grant(
        {
          subject: subject("ab"),
          documentHash: doc("ab"),
          purposes: 2,
          categories: 1,
          validFrom: 0,
          validUntil: 0,
        },
        { signal: during.signal },
      );
      // Abort once the transaction is in the pool, so the wait (not the send) is interrupted.
      while (
        (await env.ethers.provider.send("eth_getBlockByNumber", ["pending", false])).transactions
          .length === 0
      ) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      during.abort();
      const sent = await expectLedgerError(pending, "LEDGER_ABORTED");
      expect(sent.details).toMatchObject({
        sent: true,
        hash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      });
    } finally {
      await env.ethers.provider.send("evm_setAutomine", [true]);
      await env.ethers.provider.send("evm_mine", []);
    }
    expect((await registry.consentOf(subject("ab"))).status).toBe("active");
  });
});
