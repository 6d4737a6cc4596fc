/**
 * Child process for the crash test: commits blocks of ConsentRegistry grants in a loop and
 * prints `committed <number>` after each commit resolves, until it is killed (or, given a
 * fourth argument, kills itself with SIGKILL once it has committed that many blocks). Its
 * state is persisted every few blocks, so that kills land between persists too.
 * Usage: node crashWorker.ts <db dir> <txs per block> <persist every> [blocks before SIGKILL]
 */
import type { Block } from "@ethereumjs/block";
import { hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { commitGenesis, installQbftBlockHash } from "../../../nodes/chain/index.ts";
import { createChainDb } from "../../../nodes/db/index.ts";
import {
  createCustosCommon,
  createExecutionEngine,
  installEvmPatches,
} from "../../../nodes/execution/index.ts";
import { devGenesis, grantCalldata, recorderOf, signedTx } from "../stateFixtures.ts";

const [location, perBlockText, persistText, killAfterText] = process.argv.slice(2);
if (location === undefined) throw new Error("usage: crashWorker.ts <db dir> <txs per block>");
const perBlock = Number(perBlockText ?? "40");
const killAfter = killAfterText === undefined ? undefined : Number(killAfterText);
const { genesis, keys } = devGenesis(2);
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
await installEvmPatches();
installQbftBlockHash();
const chainDb = await createChainDb({
  location,
  common,
  statePersistBlocks: Number(persistText ?? "64"),
});
await commitGenesis(chainDb, genesis);
const engine = createExecutionEngine({ chainDb });
await engine.restoreState();
process.stdout.write("ready\n");
for (let committed = 0; ; committed++) {
  if (committed === killAfter) process.kill(process.pid, "SIGKILL");
  const parent = chainDb.head() as Block;
  const txs = [];
  for (const h of keys.hospitals.keys()) {
    const recorder = recorderOf(keys, h);
    const from = hexToBytes(recorder.address as PrefixedHexString);
    const { nonce } = await engine.account(from, parent);
    for (let i = 0; i < perBlock / 2; i++) {
      txs.push(
        signedTx(common, recorder.privateKey, {
          nonce: nonce + BigInt(i),
          to: genesis.contracts.consentRegistry,
          data: grantCalldata(
            Number(parent.header.number) * perBlock + (h * perBlock) / 2 + i,
            recorder.custodian,
          ),
          gasLimit: 200_000n,
        }),
      );
    }
  }
  const built = await engine.buildBlock(parent, txs, {
    timestamp: parent.header.timestamp + 1n,
    coinbase: new Uint8Array(20),
    gasLimit: BigInt(genesis.gasLimit),
  });
  await engine.commit(built);
  process.stdout.write(`committed ${built.block.header.number}\n`);
}
