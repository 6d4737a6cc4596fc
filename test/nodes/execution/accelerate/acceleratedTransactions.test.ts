/**
 * The accelerator transaction by transaction against the interpreter: two VMs on the same
 * genesis state, one with the accelerator installed, run the same transactions; after each,
 * everything runTx reports must be equal (status, gas used and refunded, return or revert
 * data, error, logs, bloom) and so must the state roots. Random traffic (registryOps.ts),
 * then every covered path with every combination of warm and cold accesses, gas limits
 * around the native paths' threshold, and a registry address whose code is not the pinned one.
 */
import type { Block } from "@ethereumjs/block";
import { EVMMockBlockchain } from "@ethereumjs/evm";
import type { TypedTransaction } from "@ethereumjs/tx";
import {
  Address,
  bigIntToBytes,
  bytesToHex,
  hexToBytes,
  type PrefixedHexString,
} from "@ethereumjs/util";
import { runTx, type VM } from "@ethereumjs/vm";
import { keccak_256 } from "@noble/hashes/sha3.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChainDb, createWriteBackDb } from "../../../../nodes/db/index.ts";
import {
  type ConsentRegistryAccelerator,
  createConsentRegistryAccelerator,
  createRegistrySlots,
  registryGas,
} from "../../../../nodes/execution/accelerate/index.ts";
import {
  createBlockStateManager,
  createCustosCommon,
  createTransientVm,
} from "../../../../nodes/execution/index.ts";
import { openChain, registryInterface, signedTx, tempDir } from "../../stateFixtures.ts";
import {
  genesis,
  type RegistryTx,
  registryTxArb,
  senderOf,
  senders,
  signRegistryTx,
  subjectOf,
} from "./registryOps.ts";

const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
const hex = (s: string) => hexToBytes(s as PrefixedHexString);

/** What runTx reports about one transaction, comparable with toEqual. */
function outcome(result: Awaited<ReturnType<typeof runTx>>) {
  const { execResult } = result;
  return {
    totalGasSpent: result.totalGasSpent,
    executionGasUsed: execResult.executionGasUsed,
    gasRefund: result.gasRefund,
    error: execResult.exceptionError?.error,
    returnValue: bytesToHex(execResult.returnValue),
    logs: (execResult.logs ?? []).map(([address, topics, data]) => [
      bytesToHex(address),
      topics.map(bytesToHex),
      bytesToHex(data),
    ]),
    bloom: bytesToHex(result.bloom.bitvector),
  };
}

describe("accelerated transactions", () => {
  let dir: { path: string; remove: () => Promise<void> };
  let db: ChainDb;
  let head: Block;

  beforeAll(async () => {
    dir = await tempDir("custos-accelerate-tx-");
    db = await openChain(dir.path, genesis, common);
    head = db.head() as Block;
  });
  afterAll(async () => {
    await db.close();
    await dir.remove();
  });

  /** A VM on the genesis state (its own block state), with `accelerator` installed if given. */
  async function vmOnGenesis(accelerator?: ConsentRegistryAccelerator): Promise<VM> {
    const stateManager = createBlockStateManager({
      common,
      db: createWriteBackDb(db.trieDb),
      stateRoot: head.header.stateRoot,
      flat: db.flatState,
    });
    const vm = await createTransientVm({
      common,
      stateManager,
      blockchain: new EVMMockBlockchain(),
    });
    accelerator?.install(vm.evm);
    return vm;
  }

  /** Two VMs, accelerated and not, and a function running a transaction on both. */
  async function pair(consentRegistry = genesis.contracts.consentRegistry) {
    const accelerator = createConsentRegistryAccelerator({ consentRegistry });
    const fast = await vmOnGenesis(accelerator);
    const reference = await vmOnGenesis();
    let blockGasUsed = 0n;
    return {
      accelerator,
      /** Writes a storage word into both VMs' state, as no transaction would. */
      async poke(address: string, slot: Uint8Array, word: bigint) {
        for (const vm of [fast, reference]) {
          await vm.stateManager.putStorage(new Address(hex(address)), slot, bigIntToBytes(word));
        }
      },
      async run(tx: TypedTransaction) {
        const [a, b] = [
          await runTx(fast, { tx, block: head, blockGasUsed }),
          await runTx(reference, { tx, block: head, blockGasUsed }),
        ];
        blockGasUsed += b.totalGasSpent;
        expect(outcome(a)).toEqual(outcome(b));
        expect(bytesToHex(await fast.stateManager.getStateRoot())).toBe(
          bytesToHex(await reference.stateManager.getStateRoot()),
        );
        return outcome(b);
      },
    };
  }

  it("matches the interpreter on random registry traffic, transaction by transaction", async () => {
    let accelerated = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(registryTxArb, { minLength: 1, maxLength: 30 }), async (specs) => {
        const { accelerator, run } = await pair();
        const nonces = senders.map(() => 0n);
        for (const spec of specs) {
          const sender = senderOf(spec);
          const tx = signRegistryTx(common, spec, nonces[sender] as bigint);
          nonces[sender] = (nonces[sender] as bigint) + 1n;
          await run(tx);
        }
        accelerated += accelerator.stats().accelerated;
      }),
      { numRuns: 80, seed: 2014 },
    );
    expect(accelerated).toBeGreaterThan(60);
  }, 60_000);

  const recorder = senders[0] as (typeof senders)[number];
  const other = senders[1] as (typeof senders)[number];
  const plenty = { gas: "plenty" as const, value: 0n };
  const noAccess = { consortium: false, binding: false, organisation: false, records: false };
  const terms = (validUntil: number) => ({ purposes: 1, categories: 1, validFrom: 0, validUntil });

  /** Every subset of the four things an access list can warm. */
  const accessSets = Array.from({ length: 16 }, (_, bits) => ({
    consortium: (bits & 1) !== 0,
    binding: (bits & 2) !== 0,
    organisation: (bits & 4) !== 0,
    records: (bits & 8) !== 0,
  }));

  it("charges every covered path exactly, warm or cold, with and without an end date", async () => {
    const { accelerator, run } = await pair();
    let nonce = 0n;
    const send = (spec: Omit<RegistryTx, "sender">) => {
      const tx = signRegistryTx(common, { sender: 0, ...spec }, nonce);
      nonce += 1n;
      return run(tx);
    };
    let subject = 0;
    const seen = new Set<string>();
    for (const access of accessSets) {
      for (const validUntil of [0, 2 ** 40 - 1]) {
        // A fresh pool subject per round: grant (new), revoke, grant again, revoke again.
        const s = subject++ % 8;
        const steps: Omit<RegistryTx, "sender">[] = [
          {
            ...plenty,
            access,
            op: {
              kind: "grant",
              custodian: 1,
              subject: s,
              terms: terms(validUntil),
              zeroDocument: false,
            },
          },
          {
            ...plenty,
            access,
            op: { kind: "revoke", custodian: 1, subject: s, zeroDocument: false },
          },
          {
            ...plenty,
            access,
            op: {
              kind: "grant",
              custodian: 1,
              subject: s,
              terms: terms(validUntil),
              zeroDocument: false,
            },
          },
          {
            ...plenty,
            access,
            op: { kind: "revoke", custodian: 1, subject: s, zeroDocument: false },
          },
          {
            ...plenty,
            access,
            op: {
              kind: "batchGrant",
              custodian: 1,
              subjects: Array.from({ length: 1 + (subject % 5) }, (_, i) => 10_000 * subject + i),
              terms: terms(validUntil),
              zeroDocumentAt: undefined,
              lengthMismatch: 0,
            },
          },
        ];
        for (const step of steps) {
          const result = await send(step);
          expect(result.error, `${step.op.kind} ${JSON.stringify(access)}`).toBeUndefined();
          seen.add(`${step.op.kind}:${result.logs.length}`);
        }
      }
    }
    // Revoked subjects granted again take `_authorise`; these runs cover both grant paths.
    expect(seen.has("grant:1") && seen.has("revoke:1")).toBe(true);
    expect(accelerator.stats().accelerated).toBe(accessSets.length * 2 * 5);
  }, 60_000);

  it("charges a 500-consent batch exactly", async () => {
    const { accelerator, run } = await pair();
    const tx = signRegistryTx(
      common,
      {
        sender: 0,
        ...plenty,
        access: noAccess,
        op: {
          kind: "batchGrant",
          custodian: 1,
          subjects: Array.from({ length: 500 }, (_, i) => 50_000 + i),
          terms: terms(0),
          zeroDocumentAt: undefined,
          lengthMismatch: 0,
        },
      },
      0n,
    );
    const result = await run(tx);
    expect(result.logs).toHaveLength(500);
    expect(accelerator.stats().accelerated).toBe(1);
  }, 60_000);

  it("engages from the path's gas plus the 63/64 margin, and agrees with the interpreter on either side", async () => {
    const data = hex(
      registryInterface.encodeFunctionData("grant", [
        1,
        subjectOf(0),
        [1, 1, 0, 0],
        keccak_256(new TextEncoder().encode("boundary")),
      ]),
    );
    // A cold grant of a new subject, all accesses cold: every part of the formula.
    const execution =
      registryGas.grantNew + 2_100n + 2_600n + registryGas.isRecorder + 2_100n + 2_100n + 20_000n;
    const margin = (registryGas.isRecorder + 4_200n + 62n) / 63n;
    const intrinsic = signedTx(common, recorder.privateKey, {
      nonce: 0n,
      to: genesis.contracts.consentRegistry,
      data,
      gasLimit: 100_000n,
    }).getIntrinsicGas();
    for (const offset of [-2_000n, -1n, 0n, 1n, margin - 1n, margin, margin + 1n, 5_000n]) {
      const { accelerator, run } = await pair();
      const tx = signedTx(common, recorder.privateKey, {
        nonce: 0n,
        to: genesis.contracts.consentRegistry,
        data,
        gasLimit: intrinsic + execution + offset,
      });
      const result = await run(tx);
      const { accelerated, fallbacks } = accelerator.stats();
      expect(accelerated + fallbacks.gas, `offset ${offset}`).toBe(1);
      expect(accelerated, `offset ${offset}`).toBe(offset >= margin ? 1 : 0);
      if (offset >= margin) expect(result.executionGasUsed).toBe(execution);
      if (offset < 0n) expect(result.error).toBe("out of gas");
    }
  }, 60_000);

  it("reads storage words the contracts never write as the contracts would", async () => {
    const { accelerator, poke, run } = await pair();
    const slots = createRegistrySlots(keccak_256);
    const registry = genesis.contracts.consentRegistry;
    const consortium = genesis.contracts.consortium;
    const record = (subject: number) => slots.record(1, subjectOf(subject));
    const STATUS = 144n;
    const VERSION = 152n;
    const NONCE = 216n;
    const junk = (1n << 250n) | (0xabn << 40n);
    // status None over other bits: grant reads version and nonce from them, SSTORE resets.
    await poke(registry, record(0), junk | (5n << VERSION) | (9n << NONCE));
    // status byte 3 (no Status): the contract's enum conversion panics.
    await poke(registry, record(1), 3n << STATUS);
    // Active at the largest version: version + 1 overflows.
    await poke(registry, record(2), (1n << STATUS) | (0xffff_ffffn << VERSION));
    // Revoked at the largest nonce: nonce + 1 overflows.
    await poke(registry, record(3), (2n << STATUS) | (0xffff_ffffn << NONCE));
    // Active over other bits: revoke keeps them.
    await poke(registry, record(4), junk | (1n << STATUS) | (7n << VERSION));
    // A batch item whose word is not zero but whose status byte is None.
    await poke(registry, record(5), junk);
    const expectations: [RegistryTx["op"], "accelerated" | "state" | "revert"][] = [
      [
        { kind: "grant", custodian: 1, subject: 0, terms: terms(0), zeroDocument: false },
        "accelerated",
      ],
      [{ kind: "grant", custodian: 1, subject: 1, terms: terms(0), zeroDocument: false }, "state"],
      [{ kind: "revoke", custodian: 1, subject: 2, zeroDocument: false }, "revert"],
      [{ kind: "grant", custodian: 1, subject: 3, terms: terms(0), zeroDocument: false }, "revert"],
      [{ kind: "revoke", custodian: 1, subject: 4, zeroDocument: false }, "accelerated"],
      [
        {
          kind: "batchGrant",
          custodian: 1,
          subjects: [6, 5, 7],
          terms: terms(0),
          zeroDocumentAt: undefined,
          lengthMismatch: 0,
        },
        "accelerated",
      ],
    ];
    let nonce = 0n;
    let before = accelerator.stats();
    for (const [op, expected] of expectations) {
      await run(signRegistryTx(common, { sender: 0, op, ...plenty, access: noAccess }, nonce++));
      const after = accelerator.stats();
      const moved =
        after.accelerated > before.accelerated
          ? "accelerated"
          : after.fallbacks.state > before.fallbacks.state
            ? "state"
            : after.fallbacks.revert > before.fallbacks.revert
              ? "revert"
              : "other";
      expect(moved, `${op.kind} ${"subject" in op ? op.subject : ""}`).toBe(expected);
      before = after;
    }
    // Consortium records with bits beside the ones isRecorder reads: the binding's are ignored,
    // an `active` byte other than 1 is left to the interpreter.
    const binding = slots.binding(hex(recorder.address));
    await poke(consortium, binding, (0xffn << 100n) | (2n << 32n) | 1n);
    const grant: RegistryTx["op"] = {
      kind: "grant",
      custodian: 1,
      subject: 8,
      terms: terms(0),
      zeroDocument: false,
    };
    await run(
      signRegistryTx(common, { sender: 0, op: grant, ...plenty, access: noAccess }, nonce++),
    );
    expect(accelerator.stats().accelerated).toBe(before.accelerated + 1);
    const organisation = slots.organisation(1);
    const word = await (await vmOnGenesis()).stateManager.getStorage(
      new Address(hex(consortium)),
      organisation,
    );
    let organisationWord = 0n;
    for (const byte of word) organisationWord = (organisationWord << 8n) | BigInt(byte);
    await poke(consortium, organisation, (organisationWord & ~(0xffn << 8n)) | (2n << 8n));
    const revoke: RegistryTx["op"] = {
      kind: "revoke",
      custodian: 1,
      subject: 8,
      zeroDocument: false,
    };
    await run(
      signRegistryTx(common, { sender: 0, op: revoke, ...plenty, access: noAccess }, nonce++),
    );
    expect(accelerator.stats().fallbacks.state).toBe(before.fallbacks.state + 1);
  });

  it("leaves a registry address whose code is not the pinned bytecode to the interpreter", async () => {
    // AccessLedger stands in for a registry of other code.
    const { accelerator, run } = await pair(genesis.contracts.accessLedger);
    const tx = signedTx(common, other.privateKey, {
      nonce: 0n,
      to: genesis.contracts.accessLedger,
      data: hex(registryInterface.encodeFunctionData("revoke", [1, subjectOf(0), subjectOf(1)])),
      gasLimit: 200_000n,
    });
    await run(tx);
    expect(accelerator.stats().fallbacks.code).toBe(1);
    expect(accelerator.stats().accelerated).toBe(0);
  });
});
