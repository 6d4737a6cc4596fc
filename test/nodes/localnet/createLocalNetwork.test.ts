import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultDevGenesisOptions } from "../../../nodes/chain/index.ts";
import { createLocalNetwork } from "../../../nodes/localnet/index.ts";

describe("createLocalNetwork", () => {
  it("writes the block gas limit it is given into the network's genesis", async () => {
    const root = await mkdtemp(join(tmpdir(), "custos-localnet-"));
    try {
      const gasLimit = 1_000_000_000;
      expect(gasLimit).not.toBe(defaultDevGenesisOptions.gasLimit);
      const network = await createLocalNetwork({ dir: join(root, "net"), hospitals: 2, gasLimit });
      const genesis = JSON.parse(await readFile(network.genesisFile, "utf8")) as {
        gasLimit: unknown;
      };
      expect(BigInt(genesis.gasLimit as string | number)).toBe(BigInt(gasLimit));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
