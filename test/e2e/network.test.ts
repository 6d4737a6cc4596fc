import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, JsonRpcProvider, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevGenesisKeys } from "../../nodes/chain/index.ts";
import {
  addLocalHospital,
  createLocalNetwork,
  findFreePortRange,
  type LocalNetwork,
  type LocalNetworkNode,
  type LocalNodeProcess,
  localNetworkFiles,
  startLocalNetwork,
  startLocalNode,
  stopLocalNetwork,
} from "../../nodes/localnet/index.ts";
import { Role } from "../../scripts/deployContracts.ts";
import { consortiumAbi } from "../../src/contracts/index.ts";
import {
  assertOneChain,
  blockOf,
  heightOf,
  sealsOf,
  urlOf,
  waitFor,
  waitForHeight,
} from "./harness/networkHarness.ts";

/**
 * Four hospital validators and one observer, each a real `custos node --config` process on
 * 127.0.0.1 talking libp2p, as `custos network up` starts them. One network goes through the
 * issue's scenarios in order: a quorum of seals on every block, the observer serving the
 * same chain to ethers, kill -9 of one validator (blocks go on) and of two (no block, no
 * fork), their return, a validator whose storage was wiped resyncing and signing again, a
 * fifth hospital voted in under load validating from H+2, and one voted out.
 */
let dir: string;
let network: LocalNetwork;
let keys: DevGenesisKeys;
const processes = new Map<string, LocalNodeProcess>();
let fifth: LocalNetworkNode | undefined;

function node(name: string): LocalNetworkNode {
  const found =
    network.nodes.find((n) => n.name === name) ?? (fifth?.name === name ? fifth : undefined);
  if (found === undefined) throw new Error(`no node ${name}`);
  return found;
}

function hospitals(...indexes: number[]): LocalNetworkNode[] {
  return indexes.map((i) => node(`hospital-${i}`));
}

async function restart(name: string): Promise<void> {
  processes.set(name, await startLocalNode(node(name), { logLevel: "warn" }));
}

async function kill9(name: string): Promise<void> {
  const process = processes.get(name);
  if (process === undefined) throw new Error(`${name} is not running`);
  process.child.kill("SIGKILL");
  await process.exited;
  processes.delete(name);
}

/** A hospital admin's Consortium contract, on hospital-1's endpoint. */
function consortiumAs(admin: number, provider: JsonRpcProvider): Contract {
  const wallet = new Wallet(
    (keys.hospitals[admin] as DevGenesisKeys["hospitals"][number]).account.privateKey,
    provider,
  );
  return new Contract(genesisConsortium, consortiumAbi, wallet);
}

let genesisConsortium: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "custos-e2e-network-"));
  const basePort = await findFreePortRange(6);
  const p2pBasePort = await findFreePortRange(6);
  network = await createLocalNetwork({ dir, hospitals: 4, observers: 1, basePort, p2pBasePort });
  keys = JSON.parse(await readFile(network.keysFile, "utf8")) as DevGenesisKeys;
  genesisConsortium = (
    JSON.parse(await readFile(network.genesisFile, "utf8")) as {
      contracts: { consortium: string };
    }
  ).contracts.consortium;
  for (const started of await startLocalNetwork(network, { logLevel: "warn" })) {
    processes.set(started.node.name, started);
  }
}, 120_000);

afterAll(async () => {
  await stopLocalNetwork(
    fifth === undefined ? network : { ...network, nodes: [...network.nodes, fifth] },
    10_000,
  );
  await rm(dir, { recursive: true, force: true });
}, 60_000);

describe("a 4-hospital QBFT network of separate processes", () => {
  it("commits blocks sealed by a quorum, and the observer serves the same chain to ethers", async () => {
    const all = network.nodes;
    await waitForHeight(all, 3, 60_000);
    const validators = keys.hospitals.map((h) => h.validator.address.toLowerCase()).sort();
    for (let number = 1; number <= 3; number++) {
      const block = await blockOf(node("hospital-0"), number);
      const { validators: listed, committers } = sealsOf(block as NonNullable<typeof block>);
      expect(listed).toEqual(validators);
      expect(new Set(committers).size).toBeGreaterThanOrEqual(3);
      expect(committers.every((c) => validators.includes(c))).toBe(true);
    }
    const observer = new JsonRpcProvider(urlOf(node("observer-0")), undefined, {
      staticNetwork: true,
    });
    try {
      const hospital = await blockOf(node("hospital-2"), 3);
      const seen = await observer.getBlock(3);
      expect(seen?.hash).toBe(hospital?.hash);
      expect(seen?.parentHash).toBe(hospital?.parentHash);
    } finally {
      observer.destroy();
    }
    await assertOneChain(all, 3);
    const metrics = await (await fetch(`${urlOf(node("hospital-0"))}/metrics`)).text();
    expect(metrics).toMatch(/^custos_consensus_height \d+$/m);
    expect(metrics).toMatch(/^custos_consensus_messages_sent_total\{type="commit"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^custos_consensus_proposer\{address="0x[0-9a-f]{40}"\} 1$/m);
    expect(metrics).toMatch(/^custos_peers 4$/m);
    expect(metrics).toMatch(
      /^custos_p2p_gater_decisions_total\{decision="admit"[^}]*\} [1-9]\d*$/m,
    );
    expect((await fetch(`${urlOf(node("observer-0"))}/readiness`)).status).toBe(200);
  }, 90_000);

  it("keeps committing with one validator killed, and stops without forking with two", async () => {
    await kill9("hospital-3");
    const live = hospitals(0, 1, 2);
    const before = Math.max(...(await Promise.all(live.map(heightOf))));
    await waitForHeight(live, before + 3, 30_000);

    await kill9("hospital-2");
    const two = hospitals(0, 1);
    // A block in flight when the second went down may still commit; after that, nothing.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const stalled = await Promise.all(two.map(heightOf));
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(await Promise.all(two.map(heightOf))).toEqual(stalled);
    await assertOneChain(two, Math.min(...stalled));

    await restart("hospital-2");
    await restart("hospital-3");
    const four = hospitals(0, 1, 2, 3);
    await waitForHeight(four, Math.max(...stalled) + 3, 60_000);
    await assertOneChain(four, Math.max(...stalled) + 3);
  }, 150_000);

  it("resyncs a validator whose storage was wiped, which then signs again", async () => {
    const name = "hospital-3";
    const wiped = node(name);
    await processes.get(name)?.child.kill("SIGTERM");
    await processes.get(name)?.exited;
    processes.delete(name);
    // The chain database is lost; its head marker and signing record beside it are not.
    await rm(join(wiped.dir, localNetworkFiles.data, "chain"), { recursive: true, force: true });
    const target = await heightOf(node("hospital-0"));
    await restart(name);
    await waitForHeight([wiped], target, 60_000);
    await assertOneChain(hospitals(0, 3), target);
    const address = keys.hospitals[3]?.validator.address.toLowerCase() as string;
    await waitFor(`a block sealed by ${name}`, 60_000, async () => {
      const head = await heightOf(node("hospital-0"));
      const block = await blockOf(node("hospital-0"), head);
      return block !== undefined && sealsOf(block).committers.includes(address) ? true : undefined;
    });
  }, 150_000);

  it("keeps committing through a rolling restart, one validator at a time", async () => {
    const four = hospitals(0, 1, 2, 3);
    for (const restarted of four) {
      const others = four.filter((n) => n !== restarted);
      const process = processes.get(restarted.name);
      process?.child.kill("SIGTERM");
      expect(await process?.exited).toBe(0);
      const before = Math.max(...(await Promise.all(others.map(heightOf))));
      await waitForHeight(others, before + 2, 30_000);
      await restart(restarted.name);
      await waitFor(`${restarted.name} ready`, 60_000, async () =>
        (await fetch(`${urlOf(restarted)}/readiness`)).ok ? true : undefined,
      );
    }
    const top = Math.min(...(await Promise.all(four.map(heightOf))));
    await assertOneChain(four, top);
  }, 240_000);

  it("votes a fifth hospital in under load: it validates from H+2; then votes one out", async () => {
    const provider = new JsonRpcProvider(urlOf(node("hospital-1")), undefined, {
      staticNetwork: true,
      cacheTimeout: -1,
      pollingInterval: 100,
    });
    const loadWallet = new Wallet(keys.researcher.privateKey, provider);
    let loading = true;
    let sent = 0;
    const load = (async () => {
      let nonce = await provider.getTransactionCount(loadWallet.address, "pending");
      while (loading) {
        await loadWallet.sendTransaction({ to: loadWallet.address, value: 0n, nonce: nonce++ });
        sent++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    try {
      const validatorKey = Wallet.createRandom();
      const admin = Wallet.createRandom();
      const recorder = Wallet.createRandom();
      const ports = await findFreePortRange(2);
      ({ node: fifth } = await addLocalHospital(network, {
        validatorKey: validatorKey.privateKey,
        rpcPort: ports,
        p2pPort: ports + 1,
      }));
      const proposal = {
        role: Role.Hospital,
        metadata: `0x${"55".repeat(32)}`,
        accounts: [admin.address],
        recorders: [recorder.address],
        validator: validatorKey.address,
      };
      const proposalId = await propose(consortiumAs(0, provider), "proposeAddOrganisation", [
        proposal,
      ]);
      await (await consortiumAs(1, provider).getFunction("vote")(proposalId)).wait();
      await (await consortiumAs(2, provider).getFunction("vote")(proposalId)).wait();
      const executed = await (
        await consortiumAs(0, provider).getFunction("execute")(proposalId)
      ).wait();
      const h = executed?.blockNumber as number;
      processes.set(fifth.name, await startLocalNode(fifth, { logLevel: "warn" }));

      await waitForHeight(hospitals(0, 1, 2, 3), h + 2, 30_000);
      const atH1 = sealsOf(
        (await blockOf(node("hospital-0"), h + 1)) as NonNullable<
          Awaited<ReturnType<typeof blockOf>>
        >,
      );
      const atH2 = sealsOf(
        (await blockOf(node("hospital-0"), h + 2)) as NonNullable<
          Awaited<ReturnType<typeof blockOf>>
        >,
      );
      expect(atH1.validators).toHaveLength(4);
      expect(atH2.validators).toHaveLength(5);
      expect(atH2.validators).toContain(validatorKey.address.toLowerCase());
      await waitFor("a block sealed by the fifth hospital", 90_000, async () => {
        const head = await heightOf(node("hospital-0"));
        const block = await blockOf(node("hospital-0"), head);
        return block !== undefined &&
          sealsOf(block).committers.includes(validatorKey.address.toLowerCase())
          ? true
          : undefined;
      });
      await assertOneChain([node("hospital-0"), fifth], h + 2);

      // Hospital 1 (org 1, hospital-0's validator) is voted out: 3 of 5 hospitals agree.
      const removal = await propose(consortiumAs(1, provider), "proposeRemoveOrganisation", [1]);
      await (await consortiumAs(2, provider).getFunction("vote")(removal)).wait();
      await (await consortiumAs(3, provider).getFunction("vote")(removal)).wait();
      const removed = await (
        await consortiumAs(1, provider).getFunction("execute")(removal)
      ).wait();
      const r = removed?.blockNumber as number;
      const rest = [...hospitals(1, 2, 3), fifth];
      await waitForHeight(rest, r + 5, 60_000);
      const after = sealsOf(
        (await blockOf(node("hospital-1"), r + 2)) as NonNullable<
          Awaited<ReturnType<typeof blockOf>>
        >,
      );
      expect(after.validators).toHaveLength(4);
      expect(after.validators).not.toContain(keys.hospitals[0]?.validator.address.toLowerCase());
      expect(sent).toBeGreaterThan(0);
    } finally {
      loading = false;
      await load.catch(() => undefined);
      provider.destroy();
    }
  }, 240_000);
});

/** Proposes through `method` and returns the proposal id from the receipt's event. */
async function propose(consortium: Contract, method: string, args: unknown[]): Promise<bigint> {
  const receipt = await (await consortium.getFunction(method)(...args)).wait();
  for (const log of receipt?.logs ?? []) {
    const parsed = consortium.interface.parseLog(log);
    if (parsed?.name === "ProposalCreated") return parsed.args[0] as bigint;
  }
  throw new Error(`${method} created no proposal`);
}
