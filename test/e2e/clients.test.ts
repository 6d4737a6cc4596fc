import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  Contract,
  ContractFactory,
  hexlify,
  id,
  isError,
  JsonRpcProvider,
  randomBytes,
  Wallet,
} from "ethers";
import {
  BaseError,
  type Chain,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  type PublicClient,
  webSocket,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevGenesisKeys, Genesis } from "../../nodes/chain/index.ts";
import {
  createLocalNetwork,
  findFreePortRange,
  startLocalNetwork,
  stopLocalNetwork,
} from "../../nodes/localnet/index.ts";
import type { DevKeysFile } from "../../nodes/node/index.ts";
import { spawnDevNode } from "../../scripts/spawnDevNode.ts";
import {
  consentRegistryAbi,
  consentRegistryBytecode,
  consortiumAbi,
} from "../../src/contracts/index.ts";

/**
 * Unmodified ethers v6, viem and Hardhat against a real `custos node --dev` process, and
 * against a validator of a 4-hospital network of node processes, on 127.0.0.1: deploy contracts, send transactions, wait for receipts, read events and filter
 * logs — the compatibility the node promises to standard Ethereum tooling.
 */
const run = promisify(execFile);
const ROOT = new URL("../../", import.meta.url).pathname;

const MAX_BODY = 128 * 1024;
let node: ClientTarget;
let keys: DevKeysFile;
const terms = { purposes: 1, categories: 3, validFrom: 0, validUntil: 0 };

/** Where the clients connect, and how to stop it (resolving with the exit code). */
interface ClientTarget {
  readonly rpcUrl: string;
  readonly wsUrl: string;
  readonly keys: DevKeysFile;
  stop(): Promise<number | null>;
}

/** A dev node process. */
async function devTarget(): Promise<ClientTarget> {
  const dataDir = await mkdtemp(join(tmpdir(), "custos-e2e-clients-"));
  // A small body limit, so an oversized request is fully written before the node answers 413.
  const process = await spawnDevNode({
    dataDir,
    args: ["--rpc-max-body-bytes", String(MAX_BODY)],
  });
  return {
    rpcUrl: process.rpcUrl,
    wsUrl: process.wsUrl,
    keys: await process.devKeys(),
    async stop() {
      const code = await process.stop();
      await rm(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Hospital 2's validator in a 4-hospital network of node processes (any validator will do). */
async function networkTarget(): Promise<ClientTarget> {
  const dir = await mkdtemp(join(tmpdir(), "custos-e2e-clients-net-"));
  const network = await createLocalNetwork({
    dir,
    hospitals: 4,
    basePort: await findFreePortRange(4),
    p2pBasePort: await findFreePortRange(4),
  });
  for (const member of network.nodes) {
    const config = JSON.parse(await readFile(member.configFile, "utf8"));
    config.rpc = { ...config.rpc, maxBodyBytes: MAX_BODY };
    await writeFile(member.configFile, JSON.stringify(config));
  }
  await startLocalNetwork(network, { logLevel: "warn" });
  const genesis = JSON.parse(await readFile(network.genesisFile, "utf8")) as Genesis;
  const devKeys = JSON.parse(await readFile(network.keysFile, "utf8")) as DevGenesisKeys;
  const rpcUrl = `http://127.0.0.1:${network.nodes[2]?.rpcPort}`;
  return {
    rpcUrl,
    wsUrl: rpcUrl.replace(/^http/, "ws"),
    keys: { ...devKeys, chainId: genesis.chainId, contracts: genesis.contracts, rpcUrl },
    async stop() {
      const stopped = await stopLocalNetwork(network, 10_000);
      await rm(dir, { recursive: true, force: true });
      return stopped.every((n) => n.outcome === "stopped") ? 0 : 1;
    },
  };
}

/** Dev hospital `index`'s consent recorder key (it records for custodian `index + 1`). */
function recorderKey(index: number): string {
  const key = keys.hospitals[index]?.recorder.privateKey;
  if (key === undefined) throw new Error(`dev chain has no hospital ${index}`);
  return key;
}

/** Dev hospital `index`'s admin account key. */
function adminKey(index: number): string {
  const key = keys.hospitals[index]?.account.privateKey;
  if (key === undefined) throw new Error(`dev chain has no hospital ${index}`);
  return key;
}

describe.each([
  { target: "a dev node", start: devTarget },
  { target: "a validator of a 4-hospital network", start: networkTarget },
])("clients against $target", ({ start }) => {
  beforeAll(async () => {
    node = await start();
    keys = node.keys;
  }, 120_000);

  afterAll(async () => {
    expect(await node?.stop()).toBe(0);
  }, 60_000);

  describe("ethers v6 against the node", () => {
    let provider: JsonRpcProvider;
    let wallet: Wallet;

    beforeAll(() => {
      provider = new JsonRpcProvider(node.rpcUrl, undefined, {
        cacheTimeout: -1,
        pollingInterval: 100,
      });
      // Hospital 1's consent recorder: it grants in custodian 1's records.
      wallet = new Wallet(recorderKey(0), provider);
    });
    afterAll(() => provider.destroy());

    it("sees the dev chain: chain id, contracts at genesis, funded members", async () => {
      expect((await provider.getNetwork()).chainId).toBe(BigInt(keys.chainId));
      for (const address of Object.values(keys.contracts).slice(1)) {
        expect((await provider.getCode(address)).length, address).toBeGreaterThan(1000);
      }
      expect(await provider.getBalance(wallet.address)).toBeGreaterThan(10n ** 21n);
      const consortium = new Contract(keys.contracts.consortium, consortiumAbi, provider);
      expect(await consortium.getFunction("isMember")(wallet.address)).toBe(true);
    });

    it("deploys a contract, sends a transaction, waits for the receipt and reads its event", async () => {
      const factory = new ContractFactory(consentRegistryAbi, consentRegistryBytecode, wallet);
      const deployed = await factory.deploy(keys.contracts.consortium);
      await deployed.waitForDeployment();
      const address = await deployed.getAddress();
      expect((await provider.getCode(address)).length).toBeGreaterThan(1000);

      const registry = new Contract(address, consentRegistryAbi, wallet);
      const subject = hexlify(randomBytes(32));
      const tx = await registry.getFunction("grant")(1, subject, terms, id("consent document"));
      const receipt = await tx.wait();
      expect(receipt?.status).toBe(1);
      const consent = await registry.getFunction("consentOf")(1, subject);
      expect(consent.purposes).toBe(1n);
      expect(consent.categories).toBe(3n);

      const events = await registry.queryFilter(
        registry.filters.ConsentGranted?.(subject) ?? "ConsentGranted",
        receipt?.blockNumber,
      );
      expect(events).toHaveLength(1);
      const logs = await provider.getLogs({
        address,
        topics: [null, subject],
        fromBlock: 0,
        toBlock: "latest",
      });
      expect(logs.map((log) => log.transactionHash)).toEqual([receipt?.hash]);
    });

    it("decodes a contract's custom error from a reverted call", async () => {
      const regulator = new Wallet(keys.regulator.privateKey, provider);
      const registry = new Contract(keys.contracts.consentRegistry, consentRegistryAbi, regulator);
      const error = await registry
        .getFunction("grant")(1, hexlify(randomBytes(32)), terms, id("doc"))
        .catch((e: unknown) => e);
      expect(isError(error, "CALL_EXCEPTION")).toBe(true);
      const parsed = registry.interface.parseError((error as { data: string }).data);
      expect(parsed?.name).toBe("ConsentRegistryNotRecorder");
    });

    it("refuses a transaction from an account outside the consortium (EIP-1474 -32003)", async () => {
      const outsider = Wallet.createRandom();
      const raw = await outsider.signTransaction({
        type: 2,
        chainId: keys.chainId,
        nonce: 0,
        to: outsider.address,
        gasLimit: 21_000,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 0,
      });
      const refused = await provider.broadcastTransaction(raw).catch((e: unknown) => e);
      expect((refused as { error?: { code?: number } }).error?.code).toBe(-32003);
      const body = await fetch(node.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "eth_sendRawTransaction",
          params: [raw],
        }),
      }).then((r) => r.json() as Promise<{ error: { code: number; message: string } }>);
      expect(body.error.code).toBe(-32003);
      expect(body.error.message).toMatch(/not a consortium member/);
    });

    it("streams new heads and filtered logs over eth_subscribe", async () => {
      const socket = new WebSocket(node.wsUrl);
      await new Promise((resolve, reject) => {
        socket.onopen = resolve;
        socket.onerror = reject;
      });
      try {
        const subject = hexlify(randomBytes(32));
        const answers = new Map<number, string>();
        const notifications: {
          subscription: string;
          result: { transactionHash?: string; number?: string };
        }[] = [];
        socket.onmessage = (event) => {
          const message = JSON.parse(String(event.data));
          if (message.id !== undefined) answers.set(message.id, message.result);
          else notifications.push(message.params);
        };
        socket.send(
          JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }),
        );
        socket.send(
          JSON.stringify({
            jsonrpc: "2.0",
            id: 2,
            method: "eth_subscribe",
            params: ["logs", { address: keys.contracts.consentRegistry, topics: [null, subject] }],
          }),
        );
        await expect.poll(() => answers.size, { timeout: 10_000 }).toBe(2);
        const registry = new Contract(keys.contracts.consentRegistry, consentRegistryAbi, wallet);
        const tx = await registry.getFunction("grant")(1, subject, terms, id("ws doc"));
        await expect
          .poll(() => notifications.filter((n) => n.subscription === answers.get(2)), {
            timeout: 20_000,
          })
          .toHaveLength(1);
        const log = notifications.find((n) => n.subscription === answers.get(2));
        expect(log?.result.transactionHash).toBe(tx.hash);
        expect(
          notifications.some((n) => n.subscription === answers.get(1) && n.result.number),
        ).toBe(true);
      } finally {
        socket.close();
      }
    });
  });

  describe("error answers of the node process", () => {
    async function post(body: string, headers: Record<string, string> = {}) {
      const response = await fetch(node.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
      return { status: response.status, body: (await response.json()) as Record<string, never> };
    }

    it("answers malformed JSON, unknown methods, wrong params and oversized bodies with EIP-1474 codes", async () => {
      expect((await post("{not json")).body).toMatchObject({ error: { code: -32700 } });
      expect(
        (await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_mine" }))).body,
      ).toMatchObject({ error: { code: -32601 } });
      expect(
        (
          await post(
            JSON.stringify({ jsonrpc: "2.0", id: 2, method: "eth_getBalance", params: ["0x12"] }),
          )
        ).body,
      ).toMatchObject({ error: { code: -32602 } });
      const huge = await post(
        JSON.stringify({
          jsonrpc: "2.0",
          id: 3,
          method: "eth_chainId",
          params: ["x".repeat(MAX_BODY)],
        }),
      );
      expect(huge.status).toBe(413);
      expect(huge.body).toMatchObject({ error: { code: -32005 } });
      const malformedTx = await post(
        JSON.stringify({
          jsonrpc: "2.0",
          id: 4,
          method: "eth_sendRawTransaction",
          params: ["0x02ff"],
        }),
      );
      expect(malformedTx.body).toMatchObject({ error: { code: -32602 } });
    });
  });

  describe("viem against the node", () => {
    let chain: Chain;
    let publicClient: PublicClient;

    beforeAll(() => {
      chain = defineChain({
        id: keys.chainId,
        name: "custos-dev",
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [node.rpcUrl], webSocket: [node.wsUrl] } },
      });
      publicClient = createPublicClient({
        chain,
        transport: http(node.rpcUrl),
        pollingInterval: 100,
      });
    });

    it("deploys, writes, waits for receipts and filters the contract's events", async () => {
      // Hospital 2's consent recorder: it grants in custodian 2's records.
      const account = privateKeyToAccount(recorderKey(1) as `0x${string}`);
      const wallet = createWalletClient({ account, chain, transport: http(node.rpcUrl) });
      const deployHash = await wallet.deployContract({
        abi: consentRegistryAbi,
        bytecode: consentRegistryBytecode as `0x${string}`,
        args: [keys.contracts.consortium as `0x${string}`],
      });
      const deployed = await publicClient.waitForTransactionReceipt({ hash: deployHash });
      expect(deployed.status).toBe("success");
      const address = deployed.contractAddress as `0x${string}`;

      const subject = hexlify(randomBytes(32)) as `0x${string}`;
      const hash = await wallet.writeContract({
        address,
        abi: consentRegistryAbi,
        functionName: "grant",
        args: [2, subject, terms, id("viem doc") as `0x${string}`],
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      expect(receipt.status).toBe("success");

      const events = await publicClient.getContractEvents({
        address,
        abi: consentRegistryAbi,
        eventName: "ConsentGranted",
        args: { subject, custodian: 2 },
        fromBlock: 0n,
      });
      expect(events).toHaveLength(1);
      expect(events[0]?.transactionHash).toBe(hash);
      expect(events[0]?.args.custodian).toBe(2);
      const consent = await publicClient.readContract({
        address,
        abi: consentRegistryAbi,
        functionName: "consentOf",
        args: [2, subject],
      });
      expect(consent.categories).toBe(3);
    });

    it("surfaces a revert's custom error and a refused sender", async () => {
      const regulator = privateKeyToAccount(keys.regulator.privateKey as `0x${string}`);
      const call = await publicClient
        .simulateContract({
          account: regulator,
          address: keys.contracts.consentRegistry as `0x${string}`,
          abi: consentRegistryAbi,
          functionName: "grant",
          args: [1, hexlify(randomBytes(32)) as `0x${string}`, terms, id("x") as `0x${string}`],
        })
        .catch((e: unknown) => e);
      expect(call).toBeInstanceOf(BaseError);
      const reverted = (call as BaseError).walk((e) => e instanceof ContractFunctionRevertedError);
      expect((reverted as ContractFunctionRevertedError).data?.errorName).toBe(
        "ConsentRegistryNotRecorder",
      );

      const outsider = privateKeyToAccount(`0x${"11".repeat(32)}`);
      const refused = await createWalletClient({
        account: outsider,
        chain,
        transport: http(node.rpcUrl),
      })
        .sendTransaction({ to: outsider.address, value: 0n, gas: 21_000n })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(BaseError);
      expect((refused as BaseError).details).toMatch(/not a consortium member/);
    });

    it("watches new blocks over a WebSocket transport", async () => {
      const wsClient = createPublicClient({ chain, transport: webSocket(node.wsUrl) });
      try {
        const number = await new Promise<bigint>((resolve, reject) => {
          const unwatch = wsClient.watchBlockNumber({
            emitOnBegin: false,
            onBlockNumber: (n) => {
              unwatch();
              resolve(n);
            },
            onError: reject,
          });
        });
        expect(number).toBeGreaterThan(0n);
      } finally {
        await wsClient.transport.getRpcClient().then((c) => c.close());
      }
    });
  });

  describe("Hardhat against the node", () => {
    it("deploys the contracts with `hardhat run scripts/deploy.ts --network custos`", async () => {
      // Addresses bound in the new consortium only (they need no key here).
      const recorder = Wallet.createRandom().address;
      const reviewBoard = Wallet.createRandom().address;
      const { stdout } = await run(
        process.execPath,
        [
          join(ROOT, "node_modules/hardhat/dist/src/cli.js"),
          "run",
          "scripts/deploy.ts",
          "--network",
          "custos",
        ],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            CUSTOS_RPC_URL: node.rpcUrl,
            // Any member may send transactions: here hospital 3's admin account deploys.
            CUSTOS_PRIVATE_KEY: adminKey(2),
            CUSTOS_RECORDER_ADDRESS: recorder,
            CUSTOS_REVIEW_BOARD_ADDRESS: reviewBoard,
          },
          timeout: 120_000,
        },
      );
      const line = stdout
        .split("\n")
        .reverse()
        .find((l) => l.startsWith("{"));
      const deployed = JSON.parse(line ?? "{}");
      expect(deployed.chainId).toBe(keys.chainId);
      expect(deployed.deployer).toBe(getAddress(keys.hospitals[2]?.account.address ?? ""));
      const provider = new JsonRpcProvider(node.rpcUrl, undefined, { cacheTimeout: -1 });
      try {
        for (const name of ["consortium", "consentRegistry", "accessLedger"]) {
          expect((await provider.getCode(deployed[name])).length, name).toBeGreaterThan(1000);
        }
        const consortium = new Contract(deployed.consortium, consortiumAbi, provider);
        expect(await consortium.getFunction("isMember")(deployed.deployer)).toBe(true);
        // The deployer is the hospital's admin account, apart from its consent recorder.
        expect(await consortium.getFunction("isAdmin")(1, deployed.deployer)).toBe(true);
        expect(await consortium.getFunction("isRecorder")(1, deployed.deployer)).toBe(false);
        expect(await consortium.getFunction("isRecorder")(1, recorder)).toBe(true);
        expect(deployed.recorder).toBe(recorder);
        expect(await consortium.getFunction("roleOf")(2)).toBe(4n);
        expect(await consortium.getFunction("isAdmin")(2, reviewBoard)).toBe(true);
      } finally {
        provider.destroy();
      }
    });
  });
});
