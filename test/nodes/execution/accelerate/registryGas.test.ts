/**
 * Re-derives the native paths' gas constants (registryGas) from the interpreter: runs each
 * covered path on EthereumJS with a step tracer and its message events, takes each frame's
 * gas (Consortium's from its message result, ConsentRegistry's as the rest) and takes out
 * what depends on state, as the steps report it: the first access of each slot, the
 * STATICCALL's account access, the SSTOREs.
 */
import type { Block } from "@ethereumjs/block";
import { EVMMockBlockchain } from "@ethereumjs/evm";
import { hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { runTx, type VM } from "@ethereumjs/vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChainDb, createWriteBackDb } from "../../../../nodes/db/index.ts";
import { registryGas } from "../../../../nodes/execution/accelerate/index.ts";
import {
  createBlockStateManager,
  createCustosCommon,
  createTransientVm,
} from "../../../../nodes/execution/index.ts";
import { openChain, registryInterface, signedTx, tempDir } from "../../stateFixtures.ts";
import { genesis, senders, subjectOf } from "./registryOps.ts";

const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
const recorder = senders[0] as (typeof senders)[number];

interface Step {
  readonly depth: number;
  readonly opcode: { readonly name: string; readonly dynamicFee?: bigint };
  readonly stack: readonly bigint[];
}

interface MessageResult {
  readonly execResult: { readonly executionGasUsed: bigint };
}

/** Per frame: its gas, and the state-dependent part of it. */
interface Frames {
  caller: bigint;
  callerAccess: bigint;
  callee: bigint;
  calleeAccess: bigint;
  /** Message calls made from ConsentRegistry's frame. */
  calls: number;
}

describe("registryGas", () => {
  let dir: { path: string; remove: () => Promise<void> };
  let db: ChainDb;
  let head: Block;
  let vm: VM;
  let nonce = 0n;

  beforeAll(async () => {
    dir = await tempDir("custos-accelerate-gas-");
    db = await openChain(dir.path, genesis, common);
    head = db.head() as Block;
    const stateManager = createBlockStateManager({
      common,
      db: createWriteBackDb(db.trieDb),
      stateRoot: head.header.stateRoot,
      flat: db.flatState,
    });
    vm = await createTransientVm({ common, stateManager, blockchain: new EVMMockBlockchain() });
  });
  afterAll(async () => {
    await db.close();
    await dir.remove();
  });

  async function trace(name: string, args: unknown[]): Promise<Frames> {
    const tx = signedTx(common, recorder.privateKey, {
      nonce: nonce++,
      to: genesis.contracts.consentRegistry,
      data: hexToBytes(registryInterface.encodeFunctionData(name, args) as PrefixedHexString),
      gasLimit: 5_000_000n,
    });
    const frames: Frames = { caller: 0n, callerAccess: 0n, callee: 0n, calleeAccess: 0n, calls: 0 };
    const slotsRead = new Set<string>();
    const used: bigint[] = [];
    const onResult = (result: MessageResult, next?: () => void) => {
      used.push(result.execResult.executionGasUsed);
      next?.();
    };
    const listener = (step: Step, next?: () => void) => {
      const { name: op } = step.opcode;
      const key = `${step.depth}:${step.stack[step.stack.length - 1]}`;
      // The first SLOAD of a slot (later reads are warm, part of the constant), every
      // SSTORE (its slot was read first, so it pays no access), the call's account access.
      const access =
        (op === "SLOAD" && !slotsRead.has(key)) || op === "SSTORE" || op === "STATICCALL";
      if (op === "SLOAD") slotsRead.add(key);
      if (access && step.depth === 0) frames.callerAccess += step.opcode.dynamicFee ?? 0n;
      if (access && step.depth === 1) frames.calleeAccess += step.opcode.dynamicFee ?? 0n;
      if (op === "STATICCALL") frames.calls++;
      next?.();
    };
    const events = vm.evm.events as NonNullable<typeof vm.evm.events>;
    events.on("step", listener);
    events.on("afterMessage", onResult);
    try {
      const result = await runTx(vm, { tx, block: head });
      expect(result.execResult.exceptionError).toBeUndefined();
    } finally {
      events.off("step", listener);
      events.off("afterMessage", onResult);
    }
    // Consortium's message ends first, then the transaction's.
    const [callee, total] = used as [bigint, bigint];
    expect(used).toHaveLength(2);
    frames.callee = callee;
    frames.caller = total - callee;
    return frames;
  }

  const terms = (validUntil: number) => [1, 1, 0, validUntil];
  const document = subjectOf(1000);
  const constant = (f: Frames) => f.caller - f.callerAccess;

  it("matches step traces of every covered path", async () => {
    const grantNew = await trace("grant", [1, subjectOf(0), terms(0), document]);
    const grantNewUntil = await trace("grant", [1, subjectOf(1), terms(2 ** 40 - 1), document]);
    const revoke = await trace("revoke", [1, subjectOf(0), document]);
    const grantAgain = await trace("grant", [1, subjectOf(0), terms(0), document]);
    const batch = (n: number, validUntil: number) =>
      trace("batchGrant", [
        1,
        Array.from({ length: n }, (_, i) => subjectOf(100 * n + validUntil + i)),
        terms(validUntil),
        Array.from({ length: n }, () => document),
      ]);
    const [one, two, oneUntil] = [await batch(1, 0), await batch(2, 0), await batch(1, 7)];

    expect(constant(grantNew)).toBe(registryGas.grantNew);
    expect(constant(grantAgain)).toBe(registryGas.grantAgain);
    expect(constant(revoke)).toBe(registryGas.revoke);
    expect(constant(two) - constant(one)).toBe(registryGas.batchItem);
    expect(constant(one) - registryGas.batchItem).toBe(registryGas.batchGrant);
    expect(constant(grantNewUntil) - constant(grantNew)).toBe(registryGas.validUntilCheck);
    expect(constant(oneUntil) - constant(one)).toBe(registryGas.validUntilCheck);
    for (const frames of [grantNew, grantNewUntil, revoke, grantAgain, one, two, oneUntil]) {
      expect(frames.calls).toBe(1);
      expect(frames.callee - frames.calleeAccess).toBe(registryGas.isRecorder);
    }
  }, 30_000);
});
