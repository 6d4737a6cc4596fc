import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";
import { createBlockFromRLP, type Block } from "@ethereumjs/block";
import { hexToBytes, type PrefixedHexString } from "@ethereumjs/util";
import { createDevGenesis } from "./nodes/chain/index.ts";
import { createCustosCommon, createExecutionEngine } from "./nodes/execution/index.ts";
import { grantCalldata, batchGrantCalldata, openChain, seededRandomBytes, signedTx, tempDir } from "./test/nodes/stateFixtures.ts";
const mode = process.argv[2] ?? "grant";
const { genesis, keys } = createDevGenesis({ hospitals: 50, randomBytes: seededRandomBytes("bench") });
const common = createCustosCommon({ chainId: BigInt(genesis.chainId) });
const a = await tempDir(); const b = await tempDir();
const dbA = await openChain(a.path, genesis, common); const dbB = await openChain(b.path, genesis, common);
const eA = createExecutionEngine({ chainDb: dbA }); const eB = createExecutionEngine({ chainDb: dbB });
const blocks: Block[] = [];
let n = 0;
for (let k = 0; k < 3; k++) {
  const txs = mode === "grant"
    ? Array.from({ length: 1000 }, (_, i) => signedTx(common, keys.hospitals[i % 50]!.account.privateKey, { nonce: BigInt(k * 20 + Math.floor(i / 50)), to: genesis.contracts.consentRegistry, data: grantCalldata(n++), gasLimit: 150000n }))
    : Array.from({ length: 10 }, (_, i) => signedTx(common, keys.hospitals[i]!.account.privateKey, { nonce: BigInt(k), to: genesis.contracts.consentRegistry, data: batchGrantCalldata((n++) * 500, 500), gasLimit: 15000000n }));
  const parent = dbA.head()!;
  const built = await eA.buildBlock(parent, txs, { timestamp: parent.header.timestamp + 1n, coinbase: new Uint8Array(20), gasLimit: 250000000n });
  await eA.commit(built); blocks.push(createBlockFromRLP(built.block.serialize(), { common }));
}
const s = new Session(); s.connect(); await s.post("Profiler.enable"); await s.post("Profiler.start");
const t = performance.now();
for (const blk of blocks) await eB.commit(await eB.executeBlock(blk));
console.log("replay ms", performance.now() - t, "wb gets", (globalThis as any).__wb, "base", (globalThis as any).__wbBase);
const { profile } = await s.post("Profiler.stop");
writeFileSync(`/tmp/statep/replay-${mode}.cpuprofile`, JSON.stringify(profile));
await dbA.close(); await dbB.close(); await a.remove(); await b.remove();
