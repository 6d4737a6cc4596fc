import { access, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Block, createBlockHeader } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { bytesToHex, createAddressFromPrivateKey, hexToBytes } from "@ethereumjs/util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Genesis, sealBlock, signCommitSeal } from "../../../nodes/chain/index.ts";
import { createCustosCommon, createExecutionEngine } from "../../../nodes/execution/index.ts";
import {
  chainDirectories,
  recoverInterruptedReindex,
  reindexChain,
  systemClock,
} from "../../../nodes/node/index.ts";
import type { ErrorCode } from "../../../src/errors/index.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import {
  buildSealedBlock,
  devGenesis,
  grantCalldata,
  openChain,
  recorderOf,
  signedTx,
  tempDir,
} from "../stateFixtures.ts";

let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir("custos-reindex-");
});
afterEach(() => dir.remove());

const OUTSIDER_KEY = `0x${"42".repeat(32)}`;

/** A dev genesis that also funds an account outside the consortium. */
function genesisWithOutsider(): Genesis {
  const { genesis } = devGenesis(2, "reindex");
  const outsider = createAddressFromPrivateKey(hexToBytes(OUTSIDER_KEY as `0x${string}`));
  return {
    ...genesis,
    alloc: { ...genesis.alloc, [outsider.toString()]: { balance: (10n ** 21n).toString() } },
  };
}

const reindexKeys = devGenesis(2, "reindex").keys;

/** `block` sealed again by every validator of the test chain (after a change to it). */
function resealed(block: Block): Block {
  return sealBlock(
    block,
    reindexKeys.hospitals.map((h) =>
      signCommitSeal(block.header, hexToBytes(h.validator.privateKey as `0x${string}`)),
    ),
  );
}

/**
 * Writes a chain of `build` blocks into dataDir/chain, each block from the engine as a dev
 * node's producer builds and seals it, then passed through `tamper` before it is stored (the
 * database stores what it is given).
 */
async function storeChain(
  genesis: Genesis,
  senders: readonly { readonly privateKey: string; readonly custodian: number }[],
  tamper: (block: Block, index: number) => Block = (block) => block,
) {
  const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
  const chainDb = await openChain(join(dir.path, chainDirectories.chain), genesis, common);
  const engine = createExecutionEngine({ chainDb });
  for (const [index, sender] of senders.entries()) {
    const parent = chainDb.head() as Block;
    const tx = signedTx(common, sender.privateKey, {
      nonce: 0n,
      to: genesis.contracts.consentRegistry,
      data: grantCalldata(index, sender.custodian),
      gasLimit: 300_000n,
    });
    const built = await buildSealedBlock(engine, parent, [tx], { genesis, keys: reindexKeys });
    expect(built.rejected).toEqual([]);
    await chainDb.commitBlock({ ...built, block: tamper(built.block, index) });
  }
  const head = chainDb.head() as Block;
  await chainDb.close();
  return { common, head };
}

/** The details of a reindex of the test directory's chain that fails with `code`. */
async function failedReindex(
  code: ErrorCode,
  genesis: Genesis,
  common: Common,
  signal?: AbortSignal,
) {
  const reindexed = reindexChain({
    dataDir: dir.path,
    common,
    genesis,
    clock: systemClock,
    ...(signal === undefined ? {} : { signal }),
  });
  return (await expectCustosError(reindexed, code)).details;
}

function withStateRoot(block: Block, stateRoot: Uint8Array): Block {
  const header = createBlockHeader(
    { ...block.header.toJSON(), stateRoot },
    { common: block.common, setHardfork: false },
  );
  return new Block(header, block.transactions, [], [], { common: block.common });
}

describe("reindexChain", () => {
  it("re-executes and verifies every block, then swaps the new database in", async () => {
    const genesis = genesisWithOutsider();
    const { keys } = devGenesis(2, "reindex");
    const { common, head } = await storeChain(genesis, [recorderOf(keys, 0), recorderOf(keys, 1)]);
    const progress: number[] = [];
    const report = await reindexChain({
      dataDir: dir.path,
      common,
      genesis,
      clock: systemClock,
      progressEvery: 1,
      onProgress: (done) => progress.push(done),
    });
    expect(report).toMatchObject({ blocks: 2, transactions: 2 });
    expect(progress).toEqual([1, 2]);
    const chainDb = await openChain(join(dir.path, chainDirectories.chain), genesis, common);
    expect(chainDb.head()?.hash()).toEqual(head.hash());
    await chainDb.close();
    await expect(access(join(dir.path, chainDirectories.reindex))).rejects.toThrow();
    await expect(access(join(dir.path, chainDirectories.old))).rejects.toThrow();
  });

  it("names the block and field of a stored block whose state root is wrong, keeping the live database", async () => {
    const genesis = genesisWithOutsider();
    const recorder = recorderOf(devGenesis(2, "reindex").keys, 0);
    // Sealed by the validators as it is: only re-execution finds it wrong.
    const { common, head } = await storeChain(genesis, [recorder], (block) =>
      resealed(withStateRoot(block, new Uint8Array(32).fill(7))),
    );
    expect(await failedReindex("BLOCK_INVALID", genesis, common)).toMatchObject({
      field: "stateRoot",
      blockNumber: "1",
    });
    const chainDb = await openChain(join(dir.path, chainDirectories.chain), genesis, common);
    expect(chainDb.head()?.hash()).toEqual(head.hash());
    await chainDb.close();
    await expect(access(join(dir.path, chainDirectories.reindex))).rejects.toThrow();
  });

  it("refuses a stored block whose seals are missing, too few or not the validators'", async () => {
    const genesis = genesisWithOutsider();
    const recorders = [recorderOf(reindexKeys, 0), recorderOf(reindexKeys, 1)];
    const outsider = hexToBytes(OUTSIDER_KEY as `0x${string}`);
    const seals: ((block: Block) => Uint8Array[])[] = [
      () => [],
      (block) => [
        signCommitSeal(
          block.header,
          hexToBytes(reindexKeys.hospitals[0]?.validator.privateKey as `0x${string}`),
        ),
      ],
      (block) => [signCommitSeal(block.header, outsider)],
    ];
    const rules = ["quorum", "quorum", "committer"];
    for (const [i, sealsOf] of seals.entries()) {
      await dir.remove();
      dir = await tempDir("custos-reindex-");
      const { common, head } = await storeChain(genesis, recorders, (block, index) =>
        index === 1 ? sealBlock(block, sealsOf(block)) : block,
      );
      const details = await failedReindex("QBFT_SEAL_INVALID", genesis, common);
      expect(details).toMatchObject({ rule: rules[i], number: "2", hash: bytesToHex(head.hash()) });
    }
  });

  it("refuses a stored block with a transaction from outside the consortium", async () => {
    const genesis = genesisWithOutsider();
    const { common } = await storeChain(genesis, [{ privateKey: OUTSIDER_KEY, custodian: 1 }]);
    expect((await failedReindex("BLOCK_INVALID", genesis, common)).field).toBe(
      "transactions[0].sender",
    );
  });

  it("stops on abort with NODE_ABORTED and leaves the live database as it was", async () => {
    const genesis = genesisWithOutsider();
    const recorder = recorderOf(devGenesis(2, "reindex").keys, 0);
    const { common, head } = await storeChain(genesis, [recorder]);
    const controller = new AbortController();
    controller.abort();
    await failedReindex("NODE_ABORTED", genesis, common, controller.signal);
    const chainDb = await openChain(join(dir.path, chainDirectories.chain), genesis, common);
    expect(bytesToHex(chainDb.head()?.hash() ?? new Uint8Array())).toBe(bytesToHex(head.hash()));
    await chainDb.close();
  });
});

describe("recoverInterruptedReindex", () => {
  const marker = async (name: string) => {
    await mkdir(join(dir.path, name), { recursive: true });
    await writeFile(join(dir.path, name, "MARK"), name);
  };
  const has = async (name: string) =>
    access(join(dir.path, name, "MARK")).then(
      () => true,
      () => false,
    );

  const cases: [string, string[], Record<string, boolean>][] = [
    [
      "discards a reindex still being built",
      [chainDirectories.chain, chainDirectories.reindex],
      { [chainDirectories.chain]: true, [chainDirectories.reindex]: false },
    ],
    [
      "completes a finished reindex caught between its two renames",
      [chainDirectories.old, chainDirectories.reindex],
      {
        [chainDirectories.chain]: true,
        [chainDirectories.old]: false,
        [chainDirectories.reindex]: false,
      },
    ],
    [
      "removes the previous database left after a completed swap",
      [chainDirectories.chain, chainDirectories.old],
      { [chainDirectories.chain]: true, [chainDirectories.old]: false },
    ],
  ];
  for (const [title, present, expected] of cases) {
    it(title, async () => {
      for (const name of present) await marker(name);
      await recoverInterruptedReindex(dir.path);
      for (const [name, exists] of Object.entries(expected)) {
        expect(await has(name), name).toBe(exists);
      }
    });
  }
});
