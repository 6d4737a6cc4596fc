import { bytesToHex } from "@ethereumjs/util";
import type { TransactionReceipt } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nativeSealRecovery } from "../../nodes/bin/commands/audit/nativeSealRecovery.ts";
import { decodeBlockHeader, decodeQbftExtraData } from "../../nodes/chain/index.ts";
import {
  buildChainProof,
  decodeProvenEvents,
  PROOF_SCHEMA,
  type ProofDocument,
  trustAnchorFromGenesis,
  type VerifiedLog,
  verifyChainProof,
} from "../../src/auditProof/index.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { block7528 } from "../nodes/chain/qbft/besuVectors.ts";
import { type DevChainScenario, runDevChainScenario } from "./devChainScenario.ts";

let chain: DevChainScenario;

beforeAll(async () => {
  chain = await runDevChainScenario();
}, 120_000);
afterAll(async () => {
  await chain?.stop();
});

/** The logs of receipts as ethers reads them, in the verifier's shape. */
async function expectedLogs(receipts: readonly TransactionReceipt[]): Promise<VerifiedLog[]> {
  const logs: VerifiedLog[] = [];
  for (const receipt of receipts) {
    const block = await chain.provider.getBlock(receipt.blockNumber);
    for (const log of receipt.logs) {
      logs.push({
        address: log.address.toLowerCase(),
        topics: [...log.topics],
        data: log.data,
        blockNumber: log.blockNumber,
        blockHash: log.blockHash,
        blockTimestamp: block?.timestamp ?? -1,
        transactionHash: log.transactionHash,
        transactionIndex: log.transactionIndex,
        logIndex: log.index,
      });
    }
  }
  return logs.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
}

function proveTransactions(...receipts: TransactionReceipt[]): Promise<ProofDocument> {
  return buildChainProof(
    chain.rpc,
    receipts.map((r) => ({ transactionHash: r.hash })),
    { contracts: chain.keys.contracts },
  );
}

const roundTrip = (proof: ProofDocument): unknown => JSON.parse(JSON.stringify(proof));

describe("proofs of a dev chain's events, verified offline against its genesis", () => {
  it("proves a consent grant and its revocation", async () => {
    const { grant, revoke } = chain.receipts;
    const proof = await proveTransactions(grant, revoke);
    expect(proof.schema).toBe(PROOF_SCHEMA);
    expect(proof.validatorChanges).toEqual([]);
    const logs = verifyChainProof(roundTrip(proof), chain.anchor);
    expect(logs).toEqual(await expectedLogs([grant, revoke]));
    const events = decodeProvenEvents(logs, chain.keys.contracts);
    expect(events.map((e) => `${e.contract}.${e.event}`)).toEqual([
      "ConsentRegistry.ConsentGranted",
      "ConsentRegistry.ConsentRevoked",
    ]);
    expect(events[0]?.args?.custodian).toBe("1");
  });

  it("proves every AccessLedger event of a query, as eth_getLogs lists them", async () => {
    const proof = await buildChainProof(chain.rpc, [{ queryId: chain.queryId }], {
      contracts: chain.keys.contracts,
    });
    const logs = verifyChainProof(roundTrip(proof), chain.anchor);
    const { submit, approve, record, decline, close } = chain.receipts;
    const expected = (await expectedLogs([submit, approve, record, decline, close])).filter(
      (log) => log.address === chain.keys.contracts.accessLedger.toLowerCase(),
    );
    expect(logs).toEqual(expected);
    const events = decodeProvenEvents(logs, chain.keys.contracts);
    expect(events.map((e) => e.event)).toEqual([
      "QuerySubmitted",
      "QueryApproved",
      "ResultRecorded",
      "QueryDeclined",
      "QueryClosed",
    ]);
    expect(events.every((e) => e.args?.queryId === chain.queryId.toString())).toBe(true);
    expect(events[3]?.args?.reasonCode).toBe("3");
  });

  it("proves a governance event and a block sealed after the validator set changed", async () => {
    const { execute, grantAfterChange } = chain.receipts;
    const proof = await proveTransactions(execute, grantAfterChange);
    expect(proof.validatorChanges.map((c) => Number(c.number))).toEqual([chain.changeBlock]);
    const later = decodeBlockHeader(
      Uint8Array.from(Buffer.from((proof.blocks[1]?.header ?? "").slice(2), "hex")),
    );
    const listed = decodeQbftExtraData(later.extraData).validators.map(bytesToHex);
    expect(listed).toHaveLength(5);
    expect(listed).toContain(chain.fifthValidator);

    const logs = verifyChainProof(roundTrip(proof), chain.anchor);
    expect(logs).toEqual(await expectedLogs([execute, grantAfterChange]));
    const names = decodeProvenEvents(logs, chain.keys.contracts).map((e) => e.event);
    expect(names).toContain("ProposalExecuted");
    expect(names).toContain("ValidatorSetScheduled");
    expect(names[names.length - 1]).toBe("ConsentGranted");

    const withoutChange = { ...proof, validatorChanges: [] };
    const error = expectCustosError(
      () => verifyChainProof(withoutChange, chain.anchor),
      "AUDIT_PROOF_INVALID",
    );
    expect(error.details).toMatchObject({ link: "validatorSet", item: "blocks", index: 1 });
  });

  it("verifies the same with the native secp256k1 recovery injected", async () => {
    const { execute, grantAfterChange } = chain.receipts;
    const proof = await proveTransactions(execute, grantAfterChange);
    expect(verifyChainProof(proof, chain.anchor, { recoverSigner: nativeSealRecovery })).toEqual(
      verifyChainProof(proof, chain.anchor),
    );
  });

  it("anchors at a trusted checkpoint: later blocks need no earlier change, earlier ones fail", async () => {
    const genesis = JSON.parse(
      await (await import("node:fs/promises")).readFile(chain.genesisFile, "utf8"),
    );
    const validators = [...chain.anchor.validators, chain.fifthValidator];
    const checkpoint = trustAnchorFromGenesis(genesis, {
      block: chain.changeBlock + 2,
      validators,
    });
    const later = await buildChainProof(
      chain.rpc,
      [{ transactionHash: chain.receipts.grantAfterChange.hash }],
      { contracts: chain.keys.contracts, fromBlock: checkpoint.fromBlock },
    );
    expect(later.validatorChanges).toEqual([]);
    expect(verifyChainProof(later, checkpoint)).toEqual(
      await expectedLogs([chain.receipts.grantAfterChange]),
    );
    const earlier = await proveTransactions(chain.receipts.grant);
    const error = expectCustosError(
      () => verifyChainProof(earlier, checkpoint),
      "AUDIT_PROOF_INVALID",
    );
    expect(error.details.link).toBe("anchor");
  });

  it("fails against another chain's anchor, naming the link", async () => {
    const proof = await proveTransactions(chain.receipts.grant);
    const otherChain = { ...chain.anchor, chainId: chain.anchor.chainId + 1 };
    expect(
      expectCustosError(() => verifyChainProof(proof, otherChain), "AUDIT_PROOF_INVALID").details
        .link,
    ).toBe("anchor");
    const otherSet = {
      ...chain.anchor,
      validators: chain.anchor.validators.map((v) => `${v.slice(0, -2)}00`).sort(),
    };
    expect(
      expectCustosError(() => verifyChainProof(proof, otherSet), "AUDIT_PROOF_INVALID").details,
    ).toMatchObject({ link: "validatorSet", item: "blocks", index: 0 });
    expect(
      expectCustosError(
        () => verifyChainProof({ ...proof, schema: "custos.proof/2" }, chain.anchor),
        "AUDIT_PROOF_INVALID",
      ).details.link,
    ).toBe("format");
    expect(
      expectCustosError(() => verifyChainProof("{}", chain.anchor), "AUDIT_PROOF_INVALID").details
        .link,
    ).toBe("format");
    expectCustosError(
      () => verifyChainProof(proof, { ...chain.anchor, validators: [] }),
      "INVALID_ARGUMENT",
    );
  });

  it("tells a missing target from a node that answers nonsense", async () => {
    const unknown = `0x${"ab".repeat(32)}`;
    await expectCustosError(
      buildChainProof(chain.rpc, [{ transactionHash: unknown }], {
        contracts: chain.keys.contracts,
      }),
      "AUDIT_PROOF_TARGET_NOT_FOUND",
    );
    await expectCustosError(
      buildChainProof(chain.rpc, [{ transactionHash: chain.receipts.grant.hash, logIndex: 7 }], {
        contracts: chain.keys.contracts,
      }),
      "AUDIT_PROOF_TARGET_NOT_FOUND",
    );
    await expectCustosError(
      buildChainProof(chain.rpc, [{ queryId: 999n }], { contracts: chain.keys.contracts }),
      "AUDIT_PROOF_TARGET_NOT_FOUND",
    );
    const lying = {
      request: async (args: { method: string; params?: readonly unknown[] }) =>
        args.method === "debug_getRawReceipts" ? [] : chain.rpc.request(args),
    };
    await expectCustosError(
      buildChainProof(lying, [{ transactionHash: chain.receipts.grant.hash }], {
        contracts: chain.keys.contracts,
      }),
      "AUDIT_PROOF_SOURCE_INVALID",
    );
    const down = { request: async () => Promise.reject(new Error("connection refused")) };
    await expectCustosError(
      buildChainProof(down, [{ queryId: 1n }], { contracts: chain.keys.contracts }),
      "LEDGER_UNAVAILABLE",
    );
  });
});

describe("a Besu QBFT header (block #7528 of besu-qbft-elc) in a proof", () => {
  const anchor = {
    chainId: 1,
    consortium: `0x${"00".repeat(20)}`,
    validators: [...block7528.validators],
    fromBlock: 7528,
  };
  const item = (header: Uint8Array, hash: string = block7528.onchainHash) => ({
    schema: PROOF_SCHEMA,
    chainId: "0x1",
    consortium: anchor.consortium,
    validatorChanges: [],
    blocks: [
      {
        number: "0x1d68",
        hash,
        header: bytesToHex(header),
        receiptNodes: [],
        transactionNodes: [],
        logs: [],
      },
    ],
  });

  it("verifies its seals and on-chain hash under a checkpoint of its 4 validators", () => {
    expect(verifyChainProof(item(block7528.sealed), anchor)).toEqual([]);
  });

  it("fails without a quorum of seals, with another set, or under another hash", () => {
    const unsealed = expectCustosError(
      () => verifyChainProof(item(block7528.unsealed), anchor),
      "AUDIT_PROOF_INVALID",
    );
    expect(unsealed.details).toMatchObject({ link: "seals", quorum: 3, committers: 0 });
    const three = { ...anchor, validators: anchor.validators.slice(0, 3) };
    expect(
      expectCustosError(
        () => verifyChainProof(item(block7528.sealed), three),
        "AUDIT_PROOF_INVALID",
      ).details.link,
    ).toBe("validatorSet");
    expect(
      expectCustosError(
        () => verifyChainProof(item(block7528.sealed, `0x${"11".repeat(32)}`), anchor),
        "AUDIT_PROOF_INVALID",
      ).details.link,
    ).toBe("header");
  });
});
