/**
 * The block-hash rule as the chain database sees it: installed only on the pinned
 * @ethereumjs/block, recorded with a database's first block, and a database written under
 * another rule (as every database of a version before QBFT block hashes was) refused.
 * The tests run in order: the rule is installed part-way, as a node upgraded in place would
 * meet its old database.
 */
import { readFileSync } from "node:fs";
import type { Block } from "@ethereumjs/block";
import { afterAll, describe, expect, it } from "vitest";
import {
  commitGenesis,
  installQbftBlockHash,
  qbftBlockHashRule,
} from "../../../nodes/chain/index.ts";
import {
  createChainDb,
  HASH_RULE_KEY,
  HEADER_RLP_HASH_RULE,
  installBlockHashRule,
  installedBlockHashRule,
  PINNED_BLOCK_VERSION,
} from "../../../nodes/db/index.ts";
import { createCustosCommon } from "../../../nodes/execution/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { devGenesis, tempDir } from "../stateFixtures.ts";
import { damageRecords } from "./damageRecords.ts";

const { genesis } = devGenesis(2, "hash-rule");
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
const dirs: { remove: () => Promise<void> }[] = [];

async function dir(): Promise<string> {
  const made = await tempDir("custos-hash-rule-");
  dirs.push(made);
  return made.path;
}

async function storedRule(location: string): Promise<string | undefined> {
  let value: Uint8Array | undefined;
  await damageRecords(location, async (level) => {
    value = await level.get(HASH_RULE_KEY);
  });
  return value === undefined ? undefined : new TextDecoder().decode(value);
}

afterAll(async () => {
  for (const made of dirs.splice(0)) await made.remove();
});

describe("the block-hash rule and the chain database", () => {
  let oldDb: string;

  it("is installed only on the pinned @ethereumjs/block, which package.json pins", () => {
    const manifest = JSON.parse(readFileSync("package.json", "utf8")) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const pinned =
      manifest.dependencies?.["@ethereumjs/block"] ??
      manifest.devDependencies?.["@ethereumjs/block"];
    expect(pinned).toBe(PINNED_BLOCK_VERSION);
    const error = expectCustosError(
      () => installBlockHashRule(qbftBlockHashRule, { blockVersion: "10.1.4" }),
      "BLOCK_HASH_PATCH_UNSUPPORTED",
    );
    expect(error.details).toEqual({ installed: "10.1.4", pinned: PINNED_BLOCK_VERSION });
    expect(installedBlockHashRule()).toBeUndefined();
  });

  it("records EthereumJS's rule in a database written without one (as before QBFT hashes)", async () => {
    oldDb = await dir();
    const chainDb = await createChainDb({ location: oldDb, common });
    await commitGenesis(chainDb, genesis);
    await chainDb.close();
    expect(await storedRule(oldDb)).toBe(HEADER_RLP_HASH_RULE);
    // Under the same rule it opens again.
    await (await createChainDb({ location: oldDb, common })).close();
  });

  it("refuses to commit once the rule changed under an open database", async () => {
    const chainDb = await createChainDb({ location: await dir(), common });
    installQbftBlockHash();
    try {
      const error = await expectCustosError(commitGenesis(chainDb, genesis), "INTERNAL");
      expect(error.details).toEqual({ opened: HEADER_RLP_HASH_RULE, now: "qbft-onchain" });
      expect(chainDb.head()).toBeUndefined();
    } finally {
      await chainDb.close();
    }
  });

  it("refuses a database written under EthereumJS's rule once the QBFT rule is installed", async () => {
    const error = await expectCustosError(
      createChainDb({ location: oldDb, common }),
      "CHAIN_DB_INCOMPATIBLE",
    );
    expect(error.details).toEqual({
      location: oldDb,
      stored: HEADER_RLP_HASH_RULE,
      expected: "qbft-onchain",
    });
    expect(error.message).toContain("new data directory");
  });

  it("refuses a database of an earlier version (no rule recorded) and one of another rule", async () => {
    const location = await dir();
    const chainDb = await createChainDb({ location, common });
    const block0 = (await commitGenesis(chainDb, genesis)) as Block;
    await chainDb.close();
    expect(await storedRule(location)).toBe("qbft-onchain");
    const reopened = await createChainDb({ location, common });
    expect(reopened.head()?.hash()).toEqual(block0.hash());
    await reopened.close();

    await damageRecords(location, (level) => level.del(HASH_RULE_KEY));
    const missing = await expectCustosError(
      createChainDb({ location, common }),
      "CHAIN_DB_INCOMPATIBLE",
    );
    expect(missing.details.stored).toBe(HEADER_RLP_HASH_RULE);

    await damageRecords(location, (level) =>
      level.put(HASH_RULE_KEY, new TextEncoder().encode("some-rule")),
    );
    const other = await expectCustosError(
      createChainDb({ location, common }),
      "CHAIN_DB_INCOMPATIBLE",
    );
    expect(other.details).toEqual({ location, stored: "some-rule", expected: "qbft-onchain" });
  });
});
