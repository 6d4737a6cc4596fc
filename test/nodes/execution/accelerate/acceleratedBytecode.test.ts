/**
 * The bytecode the native paths were written for: recomputed from the compiled artifacts (a
 * change to either contract fails here first), recognised in the genesis chain's registry,
 * and refused in any other code.
 */
import { readFileSync } from "node:fs";
import type { Block } from "@ethereumjs/block";
import { bytesToHex, hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChainDb } from "../../../../nodes/db/index.ts";
import {
  acceleratedBytecode,
  matchRegistryCode,
} from "../../../../nodes/execution/accelerate/index.ts";
import {
  createCustosCommon,
  createExecutionEngine,
  type ExecutionEngine,
} from "../../../../nodes/execution/index.ts";
import { openChain, tempDir } from "../../stateFixtures.ts";
import { genesis } from "./registryOps.ts";

interface Artifact {
  readonly deployedBytecode: string;
  readonly immutableReferences: Record<string, readonly { start: number; length: number }[]>;
}

function artifact(name: string): Artifact {
  const url = new URL(`../../../../artifacts/contracts/${name}.sol/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as Artifact;
}

const hex = (s: string) => hexToBytes(s as PrefixedHexString);
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });

describe("acceleratedBytecode", () => {
  let dir: { path: string; remove: () => Promise<void> };
  let db: ChainDb;
  let engine: ExecutionEngine;
  let registryCode: Uint8Array;

  beforeAll(async () => {
    dir = await tempDir("custos-accelerate-code-");
    db = await openChain(dir.path, genesis, common);
    engine = createExecutionEngine({ chainDb: db });
    registryCode = await engine.code(hex(genesis.contracts.consentRegistry), db.head() as Block);
  });
  afterAll(async () => {
    await db.close();
    await dir.remove();
  });

  it("is the compiled artifacts' runtime code", () => {
    const registry = artifact("ConsentRegistry");
    const code = hex(registry.deployedBytecode);
    const references = Object.values(registry.immutableReferences).flat();
    const ranges = references
      .map((r) => [r.start, r.length])
      .sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
    expect(code.length).toBe(acceleratedBytecode.registry.length);
    expect(ranges).toEqual(acceleratedBytecode.registry.immutables);
    for (const [start, length] of ranges as [number, number][]) code.fill(0, start, start + length);
    expect(bytesToHex(keccak_256(code)).slice(2)).toBe(acceleratedBytecode.registry.maskedHash);
    // `_consortium` is the one immutable the code reads in six places.
    const consortium = Object.values(registry.immutableReferences).find((r) => r.length === 6);
    expect(consortium?.map((r) => r.start)).toEqual(acceleratedBytecode.registry.consortiumAt);
    const consortiumCode = hex(artifact("Consortium").deployedBytecode);
    expect(Object.keys(artifact("Consortium").immutableReferences)).toEqual([]);
    expect(bytesToHex(keccak_256(consortiumCode)).slice(2)).toBe(
      acceleratedBytecode.consortiumCodeHash,
    );
  });

  it("recognises the genesis registry and reads its Consortium from the code", async () => {
    expect(bytesToHex(matchRegistryCode(registryCode, keccak_256) ?? new Uint8Array(0))).toBe(
      genesis.contracts.consortium.toLowerCase(),
    );
    const consortiumCode = await engine.code(hex(genesis.contracts.consortium), db.head() as Block);
    expect(bytesToHex(keccak_256(consortiumCode)).slice(2)).toBe(
      acceleratedBytecode.consortiumCodeHash,
    );
  });

  it("refuses other code: a changed byte, disagreeing immutables, another length", () => {
    const changed = new Uint8Array(registryCode);
    changed[100] = (changed[100] as number) ^ 1;
    expect(matchRegistryCode(changed, keccak_256)).toBeUndefined();
    const second = acceleratedBytecode.registry.consortiumAt[1] as number;
    const split = new Uint8Array(registryCode);
    split[second + 31] = (split[second + 31] as number) ^ 1;
    expect(matchRegistryCode(split, keccak_256)).toBeUndefined();
    const notAnAddress = new Uint8Array(registryCode);
    for (const at of acceleratedBytecode.registry.consortiumAt) notAnAddress[at] = 1;
    expect(matchRegistryCode(notAnAddress, keccak_256)).toBeUndefined();
    expect(matchRegistryCode(registryCode.subarray(1), keccak_256)).toBeUndefined();
    // Other values of the immutables (another chain, address or Consortium) are the same code.
    const elsewhere = new Uint8Array(registryCode);
    for (const at of acceleratedBytecode.registry.consortiumAt) elsewhere[at + 31] = 0x77;
    elsewhere[(acceleratedBytecode.registry.immutables[4] as [number, number])[0]] = 0x55;
    expect(matchRegistryCode(elsewhere, keccak_256)?.[19]).toBe(0x77);
  });

  it("leaves the code it checks untouched, also a Buffer (whose slice() is a view)", () => {
    const code = Buffer.from(registryCode);
    const before = bytesToHex(code);
    expect(matchRegistryCode(code, keccak_256)).toBeDefined();
    expect(bytesToHex(code)).toBe(before);
  });
});
