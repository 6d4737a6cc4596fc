/**
 * A real dev node (`custos node --dev`: 4 hospitals, every block sealed with QBFT commit
 * seals) taken through the events the proofs must cover: a consent grant and its revocation,
 * a query's whole AccessLedger lifecycle (submitted, approved, result recorded, declined,
 * closed), a fifth hospital voted in (a validator-set change) and a grant after the new set
 * took effect.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, type TransactionReceipt, Wallet } from "ethers";
import type { DevKeysFile } from "../../nodes/node/index.ts";
import { type NodeProcess, spawnDevNode } from "../../scripts/spawnDevNode.ts";
import type { ProofRpc, TrustAnchor } from "../../src/auditProof/index.ts";
import { trustAnchorFromGenesis } from "../../src/auditProof/index.ts";
import { grantConsent, runQueryLifecycle, voteInHospital, waitForBlock } from "./chainActions.ts";

/** The scenario's transactions, by what they did. */
export type ScenarioStep =
  | "grant"
  | "revoke"
  | "submit"
  | "approve"
  | "record"
  | "decline"
  | "close"
  | "execute"
  | "grantAfterChange";

export interface DevChainScenario {
  readonly node: NodeProcess;
  readonly dataDir: string;
  /** Path of the dev chain's genesis file. */
  readonly genesisFile: string;
  readonly anchor: TrustAnchor;
  readonly keys: DevKeysFile;
  readonly provider: JsonRpcProvider;
  /** The node's JSON-RPC as a proof builder's port. */
  readonly rpc: ProofRpc;
  readonly receipts: Readonly<Record<ScenarioStep, TransactionReceipt>>;
  readonly queryId: bigint;
  /** The block whose ValidatorSetScheduled adds the fifth validator. */
  readonly changeBlock: number;
  /** The fifth validator's address, lowercase. */
  readonly fifthValidator: string;
  stop(): Promise<void>;
}

/** Starts a dev node and runs the scenario on it; `stop()` ends the node and removes its data. */
export async function runDevChainScenario(): Promise<DevChainScenario> {
  const dataDir = await mkdtemp(join(tmpdir(), "custos-audit-proof-"));
  const node = await spawnDevNode({ dataDir });
  const provider = new JsonRpcProvider(node.rpcUrl, undefined, {
    cacheTimeout: -1,
    pollingInterval: 100,
    staticNetwork: true,
  });
  try {
    const keys = await node.devKeys();
    const genesisFile = join(dataDir, "dev-genesis.json");
    const anchor = trustAnchorFromGenesis(JSON.parse(await readFile(genesisFile, "utf8")));
    const actors = { provider, keys, contracts: keys.contracts };
    const consent = await grantConsent(actors, true);
    const query = await runQueryLifecycle(actors);
    const validator = Wallet.createRandom();
    const execute = await voteInHospital(actors, validator.address);
    await waitForBlock(provider, execute.blockNumber + 2);
    const { grant: grantAfterChange } = await grantConsent(actors);
    const { queryId, submit, approve, record, decline, close } = query;
    const { grant } = consent;
    const revoke = consent.revoke as TransactionReceipt;
    const rpc: ProofRpc = {
      request: ({ method, params }) => provider.send(method, [...(params ?? [])]),
    };
    return {
      node,
      dataDir,
      genesisFile,
      anchor,
      keys,
      provider,
      rpc,
      receipts: {
        grant,
        revoke,
        submit,
        approve,
        record,
        decline,
        close,
        execute,
        grantAfterChange,
      },
      queryId,
      changeBlock: execute.blockNumber,
      fifthValidator: validator.address.toLowerCase(),
      async stop() {
        provider.destroy();
        await node.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    provider.destroy();
    await node.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
