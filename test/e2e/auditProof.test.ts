/**
 * Offline proofs on a 4-hospital QBFT network of separate processes (`custos network up`):
 * consent events, every AccessLedger event type and a governance event are proven with
 * `custos audit prove` from one hospital's JSON-RPC — before and after a fifth hospital is
 * voted in, which changes the validator set — and, with every node stopped, each proof
 * verifies with `custos audit verify` against the genesis file alone.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bytesToHex } from "@ethereumjs/util";
import { JsonRpcProvider, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../nodes/bin/runCli.ts";
import {
  type DevGenesisKeys,
  decodeBlockHeader,
  decodeQbftExtraData,
  recoverCommitters,
} from "../../nodes/chain/index.ts";
import {
  addLocalHospital,
  createLocalNetwork,
  findFreePortRange,
  type LocalNetwork,
  type LocalNetworkNode,
  startLocalNetwork,
  startLocalNode,
  stopLocalNetwork,
} from "../../nodes/localnet/index.ts";
import type { ProofDocument } from "../../src/auditProof/index.ts";
import {
  type ActionContracts,
  grantConsent,
  runQueryLifecycle,
  voteInHospital,
  waitForBlock,
} from "../auditProof/chainActions.ts";
import { captureIo } from "../nodes/bin/captureIo.ts";
import { urlOf, waitForHeight } from "./harness/networkHarness.ts";

let dir: string;
let network: LocalNetwork;
let fifth: LocalNetworkNode | undefined;
let stopped = false;

async function stopAll(): Promise<void> {
  if (stopped || network === undefined) return;
  stopped = true;
  await stopLocalNetwork(
    fifth === undefined ? network : { ...network, nodes: [...network.nodes, fifth] },
    10_000,
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "custos-e2e-audit-proof-"));
  const basePort = await findFreePortRange(4);
  const p2pBasePort = await findFreePortRange(4);
  network = await createLocalNetwork({ dir, hospitals: 4, observers: 0, basePort, p2pBasePort });
  await startLocalNetwork(network, { logLevel: "warn" });
}, 120_000);

afterAll(async () => {
  await stopAll();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

async function cli(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const c = captureIo();
  const code = await runCli(args, c.io);
  return { code, out: c.out(), err: c.err() };
}

describe("offline proofs of a 4-hospital network's events", () => {
  it("proves consent, query and governance events across a validator-set change; each verifies offline", async () => {
    const hospitals = network.nodes.filter((n) => n.kind === "hospital");
    await waitForHeight(hospitals, 2, 60_000);
    const provider = new JsonRpcProvider(urlOf(hospitals[1] as LocalNetworkNode), undefined, {
      staticNetwork: true,
      cacheTimeout: -1,
      pollingInterval: 100,
    });
    const proofs = new Map<string, string>();
    let changeBlock: number;
    try {
      const keys = JSON.parse(await readFile(network.keysFile, "utf8")) as DevGenesisKeys;
      const genesis = JSON.parse(await readFile(network.genesisFile, "utf8")) as {
        contracts: ActionContracts;
      };
      const actors = { provider, keys, contracts: genesis.contracts };

      const before = await grantConsent(actors, true);
      const query1 = await runQueryLifecycle(actors);

      const validatorKey = Wallet.createRandom();
      const ports = await findFreePortRange(2);
      ({ node: fifth } = await addLocalHospital(network, {
        validatorKey: validatorKey.privateKey,
        rpcPort: ports,
        p2pPort: ports + 1,
      }));
      const execute = await voteInHospital(actors, validatorKey.address);
      changeBlock = execute.blockNumber;
      await startLocalNode(fifth, { logLevel: "warn" });
      await waitForBlock(provider, changeBlock + 2);

      const query2 = await runQueryLifecycle(actors);
      const after = await grantConsent(actors, true);

      const rpcUrl = urlOf(hospitals[2] as LocalNetworkNode);
      const prove = async (name: string, target: string[]) => {
        const file = join(dir, `${name}.json`);
        const { code, err } = await cli([
          "audit",
          "prove",
          ...target,
          "--rpc",
          rpcUrl,
          "--genesis",
          network.genesisFile,
          "--out",
          file,
        ]);
        expect({ name, code, err }).toEqual({ name, code: 0, err: "" });
        proofs.set(name, file);
      };
      await prove("grant-before", ["--tx", before.grant.hash]);
      await prove("revoke-before", ["--tx", before.revoke?.hash as string]);
      await prove("query-before", ["--query", query1.queryId.toString()]);
      await prove("governance", ["--tx", execute.hash]);
      await prove("query-after", ["--query", query2.queryId.toString()]);
      await prove("grant-after", ["--tx", after.grant.hash]);
      await prove("revoke-after", ["--tx", after.revoke?.hash as string]);
    } finally {
      provider.destroy();
    }

    // No node runs from here on: the proofs and the genesis file are all there is.
    await stopAll();
    const verify = async (name: string) => {
      const { code, out, err } = await cli([
        "audit",
        "verify",
        proofs.get(name) as string,
        "--genesis",
        network.genesisFile,
        "--json",
      ]);
      expect({ name, code, err }).toEqual({ name, code: 0, err: "" });
      return (JSON.parse(out) as { contract?: string; event?: string }[]).map(
        (e) => `${e.contract}.${e.event}`,
      );
    };
    const lifecycle = [
      "AccessLedger.QuerySubmitted",
      "AccessLedger.QueryApproved",
      "AccessLedger.ResultRecorded",
      "AccessLedger.QueryDeclined",
      "AccessLedger.QueryClosed",
    ];
    expect(await verify("grant-before")).toEqual(["ConsentRegistry.ConsentGranted"]);
    expect(await verify("revoke-before")).toEqual(["ConsentRegistry.ConsentRevoked"]);
    expect(await verify("query-before")).toEqual(lifecycle);
    const governance = await verify("governance");
    expect(governance).toContain("Consortium.ProposalExecuted");
    expect(governance).toContain("Consortium.OrganisationAdded");
    expect(governance).toContain("Consortium.ValidatorSetScheduled");
    expect(await verify("query-after")).toEqual(lifecycle);
    expect(await verify("grant-after")).toEqual(["ConsentRegistry.ConsentGranted"]);
    expect(await verify("revoke-after")).toEqual(["ConsentRegistry.ConsentRevoked"]);

    // The later proofs carry the change, and their blocks are sealed by a quorum of five.
    const later = JSON.parse(
      await readFile(proofs.get("query-after") as string, "utf8"),
    ) as ProofDocument;
    expect(later.validatorChanges.map((c) => Number(c.number))).toContain(changeBlock);
    for (const block of later.blocks) {
      expect(Number(block.number)).toBeGreaterThanOrEqual(changeBlock + 2);
      const header = decodeBlockHeader(Uint8Array.from(Buffer.from(block.header.slice(2), "hex")));
      const validators = decodeQbftExtraData(header.extraData).validators.map(bytesToHex);
      expect(validators).toHaveLength(5);
      const committers = recoverCommitters(header).map(bytesToHex);
      expect(new Set(committers).size).toBeGreaterThanOrEqual(4);
      expect(committers.every((c) => validators.includes(c))).toBe(true);
    }
    const earlier = JSON.parse(
      await readFile(proofs.get("query-before") as string, "utf8"),
    ) as ProofDocument;
    expect(earlier.validatorChanges).toEqual([]);
  }, 300_000);
});
