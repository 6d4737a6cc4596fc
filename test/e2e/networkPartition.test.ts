import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createLocalNetwork,
  findFreePortRange,
  type LocalNetwork,
  type LocalNetworkNode,
  startLocalNetwork,
  stopLocalNetwork,
} from "../../nodes/localnet/index.ts";
import { createFaultProxy, type FaultProxy } from "./harness/createFaultProxy.ts";
import { assertOneChain, heightOf, waitFor, waitForHeight } from "./harness/networkHarness.ts";

/**
 * Four validator processes whose every link runs through a fault-injecting TCP proxy of the
 * test harness: node i dials node j < i only, through the proxy of link (i, j), and no node
 * is dialled back (`p2p.announcePort` 0), so the proxies carry all traffic. One validator is
 * partitioned away and healed, links are delayed and cut mid-message; there is no fork,
 * commits go on with three, and the isolated node catches up after the heal.
 */
let dir: string;
let network: LocalNetwork;
/** The proxy of the link from node `i` (dialler) to node `j`, keyed `i>j`. */
const links = new Map<string, FaultProxy>();

function hospital(i: number): LocalNetworkNode {
  return network.nodes[i] as LocalNetworkNode;
}

function linksOf(i: number): FaultProxy[] {
  return [...links].filter(([key]) => key.split(">").includes(String(i))).map(([, p]) => p);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "custos-e2e-partition-"));
  network = await createLocalNetwork({
    dir,
    hospitals: 4,
    basePort: await findFreePortRange(4),
    p2pBasePort: await findFreePortRange(4),
  });
  for (const [i, node] of network.nodes.entries()) {
    const bootnodes: string[] = [];
    for (let j = 0; j < i; j++) {
      const target = hospital(j);
      const proxy = await createFaultProxy({ target: { host: "127.0.0.1", port: target.p2pPort } });
      links.set(`${i}>${j}`, proxy);
      bootnodes.push(target.multiaddr.replace(`/tcp/${target.p2pPort}/`, `/tcp/${proxy.port}/`));
    }
    const config = JSON.parse(await readFile(node.configFile, "utf8"));
    config.p2p = { ...config.p2p, bootnodes, announcePort: 0 };
    await writeFile(node.configFile, JSON.stringify(config));
  }
  await startLocalNetwork(network, { logLevel: "warn" });
}, 120_000);

afterAll(async () => {
  await stopLocalNetwork(network, 10_000);
  await Promise.all([...links.values()].map((proxy) => proxy.close()));
  await rm(dir, { recursive: true, force: true });
}, 60_000);

describe("a 4-validator network through faulty links", () => {
  it("carries all its traffic through the proxies", async () => {
    await waitForHeight(network.nodes, 3, 60_000);
    for (const proxy of links.values()) {
      expect(proxy.connections()).toBe(1);
      expect(proxy.bytes().toTarget).toBeGreaterThan(0);
    }
  }, 90_000);

  it("commits with one validator partitioned away, without a fork, and it catches up after the heal", async () => {
    for (const proxy of linksOf(3)) proxy.partition();
    const isolated = await heightOf(hospital(3));
    const rest = [hospital(0), hospital(1), hospital(2)];
    const start = Math.max(...(await Promise.all(rest.map(heightOf))));
    await waitForHeight(rest, start + 4, 30_000);
    // The isolated node decides nothing alone (one of four is no quorum).
    expect(await heightOf(hospital(3))).toBeLessThanOrEqual(isolated + 1);

    for (const proxy of linksOf(3)) proxy.heal();
    const target = Math.max(...(await Promise.all(rest.map(heightOf))));
    await waitForHeight([hospital(3)], target, 60_000);
    await waitForHeight(network.nodes, target + 2, 30_000);
    await assertOneChain(network.nodes, target + 2);
  }, 150_000);

  it("keeps committing when every link is delayed, and after links are cut mid-message", async () => {
    for (const proxy of links.values()) proxy.delay(150);
    const before = await heightOf(hospital(0));
    await waitForHeight(network.nodes, before + 3, 30_000);
    for (const proxy of links.values()) proxy.delay(0);

    for (const proxy of links.values()) proxy.cutMidMessage();
    const cut = await heightOf(hospital(0));
    await waitFor("every link dialled again", 60_000, async () =>
      [...links.values()].every((proxy) => proxy.connections() === 1) ? true : undefined,
    );
    await waitForHeight(network.nodes, cut + 3, 60_000);
    await assertOneChain(network.nodes, cut + 3);
  }, 150_000);
});
