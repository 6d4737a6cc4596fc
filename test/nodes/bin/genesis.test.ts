import { readFile, stat } from "node:fs/promises";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { describe, expect, it } from "vitest";
import { createGenesisCommand, keysPathFor } from "../../../nodes/bin/commands/genesis.ts";
import { runCli } from "../../../nodes/bin/runCli.ts";
import {
  parseGenesis,
  qbftGenesisExtraData,
  sortedValidators,
} from "../../../nodes/chain/index.ts";
import { seededRandomBytes, tempDir } from "../stateFixtures.ts";
import { captureIo } from "./captureIo.ts";

describe("custos genesis", () => {
  it("writes a valid genesis and a 0600 keys file, and never prints a key", async () => {
    const dir = await tempDir();
    const out = `${dir.path}/genesis.json`;
    const c = captureIo();
    const command = createGenesisCommand({ randomBytes: seededRandomBytes("cli") });
    expect(
      await runCli(["genesis", "--out", out, "--hospitals", "2", "--chain-id", "777"], c.io, [
        command,
      ]),
    ).toBe(0);
    const genesis = parseGenesis(JSON.parse(await readFile(out, "utf8")));
    expect(genesis.chainId).toBe(777);
    expect(genesis.validators).toHaveLength(2);
    // Block 0's extraData lists the validators as Besu's QBFT genesis does.
    const validators = genesis.validators.map((v) => hexToBytes(v as `0x${string}`));
    expect(genesis.extraData).toBe(bytesToHex(qbftGenesisExtraData(sortedValidators(validators))));
    expect(genesis.organisations.map((o) => o.role)).toEqual([
      "hospital",
      "hospital",
      "regulator",
      "researcher",
      "reviewBoard",
    ]);
    const keysPath = keysPathFor(out);
    expect(keysPath).toBe(`${dir.path}/genesis.keys.json`);
    expect((await stat(keysPath)).mode & 0o777).toBe(0o600);
    const keys = JSON.parse(await readFile(keysPath, "utf8"));
    // Each hospital: an admin account, a separate recorder and a validator; ids 1..N in order.
    expect(keys.hospitals[0].account.address).toBe(genesis.organisations[0]?.accounts[0]);
    expect(keys.hospitals[1].recorder.address).toBe(genesis.organisations[1]?.recorders[0]);
    expect(keys.hospitals[1].validator.address).toBe(genesis.organisations[1]?.validator);
    expect(keys.hospitals[0].recorder.address).not.toBe(keys.hospitals[0].account.address);
    expect(genesis.alloc[keys.hospitals[0].recorder.address]).toBeDefined();
    const printed = c.out() + c.err();
    for (const key of [
      keys.regulator,
      keys.researcher,
      keys.reviewBoard,
      ...keys.hospitals.flatMap(
        (h: { account: unknown; recorder: unknown; validator: unknown }) => [
          h.account,
          h.recorder,
          h.validator,
        ],
      ),
    ]) {
      expect(printed).not.toContain((key as { privateKey: string }).privateKey.slice(2));
    }
    expect(c.out()).toContain(genesis.contracts.consentRegistry);
    expect(c.out()).toMatch(/block 0\s+0x[0-9a-f]{64}/);

    const again = captureIo();
    expect(await runCli(["genesis", "--out", out], again.io, [command])).toBe(1);
    expect(again.err()).toContain("INVALID_ARGUMENT");
    expect(await runCli(["genesis", "--out", out, "--force"], captureIo().io, [command])).toBe(0);
    await dir.remove();
  });

  it("rejects bad arguments with a usage error", async () => {
    const command = createGenesisCommand({ writeFile: async () => {} });
    for (const args of [
      [],
      ["--out"],
      ["--out", "g.json", "--hospitals", "0"],
      ["--out", "g.json", "--hospitals", "x"],
      ["--out", "g.json", "--chain-id"],
      ["--out", "g.json", "--nope"],
    ]) {
      const c = captureIo();
      expect(await runCli(["genesis", ...args], c.io, [command]), args.join(" ")).toBe(2);
      expect(c.err()).toContain("CLI_USAGE");
    }
  });

  it("prints help and is registered in custos --help", async () => {
    const c = captureIo();
    expect(await runCli(["genesis", "--help"], c.io)).toBe(0);
    expect(c.out()).toContain("Usage: custos genesis --out <file>");
    const top = captureIo();
    await runCli(["--help"], top.io);
    expect(top.out()).toMatch(/genesis\s+write a development genesis/);
  });
});
