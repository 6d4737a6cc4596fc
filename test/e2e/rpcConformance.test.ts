import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { Contract, hexlify, id, JsonRpcProvider, randomBytes, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevKeysFile } from "../../nodes/node/index.ts";
import { rpcMethods } from "../../nodes/rpc/index.ts";
import { type NodeProcess, spawnDevNode } from "../../scripts/spawnDevNode.ts";
import { consentRegistryAbi } from "../../src/contracts/index.ts";

/**
 * Conformance of a real `custos node --dev` process to the ethereum/execution-apis OpenRPC
 * schemas (vendored in test/fixtures/execution-apis): every method the node serves answers
 * valid parameters with a schema-valid result, and every spec-invalid parameter set built
 * from a pool of malformed values is refused with -32602 — except the documented leniencies
 * (docs/rpc.md, "Conformance"), each named below with the rule that recognises it.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface SpecParam {
  readonly name: string;
  readonly required?: boolean;
  readonly schema: Json;
}

interface SpecMethod {
  readonly name: string;
  readonly params: readonly SpecParam[];
  readonly result?: { readonly schema: Json };
}

const spec = JSON.parse(
  readFileSync(new URL("../fixtures/execution-apis/openrpc.json", import.meta.url), "utf8"),
) as { methods: SpecMethod[]; components: { schemas: Record<string, Json> } };
const BASE = "https://custos.invalid/execution-apis/openrpc.json";
const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });
ajv.addSchema({ $id: BASE, components: spec.components });

/** A method schema with its `#/components/…` references pointing into the vendored document. */
function rebase(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] =
      key === "$ref" && typeof value === "string" && value.startsWith("#")
        ? `${BASE}${value}`
        : rebase(value);
  }
  return out;
}

const methods = new Map(spec.methods.map((method) => [method.name, method]));
const compiled = new Map<Json, ValidateFunction>();
function validator(schema: Json): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(rebase(schema) as object);
    compiled.set(schema, validate);
  }
  return validate;
}

/** Whether `params` are valid for `method` by the spec: positions, required ones, schemas. */
function specValidParams(method: SpecMethod, params: readonly Json[]): boolean {
  if (params.length > method.params.length) return false;
  return method.params.every((param, i) => {
    if (i >= params.length) return param.required !== true;
    return validator(param.schema)(params[i]);
  });
}

/** Methods the node serves that execution-apis does not define, and what they must answer. */
const outsideSpec: Record<string, (result: unknown) => boolean> = {
  web3_clientVersion: (result) => typeof result === "string" && result.startsWith("custos/"),
  net_listening: (result) => result === true,
  net_peerCount: (result) => typeof result === "string" && /^0x(0|[1-9a-f][0-9a-f]*)$/.test(result),
};
/** Served over WebSocket only (tested in test/e2e/clients.test.ts). */
const webSocketOnly = new Set(["eth_subscribe", "eth_unsubscribe"]);

/** Position of the block parameter of the methods that take EIP-1898 block parameters. */
const eip1898Position: Record<string, number> = {
  eth_getBalance: 1,
  eth_getCode: 1,
  eth_getStorageAt: 2,
  eth_getTransactionCount: 1,
  eth_call: 1,
  eth_estimateGas: 1,
  eth_createAccessList: 1,
  eth_getProof: 2,
  eth_getBlockReceipts: 0,
  debug_getRawHeader: 0,
  debug_getRawReceipts: 0,
  debug_getRawBlock: 0,
};

/**
 * Spec-invalid inputs the node accepts on purpose, as geth does (docs/rpc.md, "Conformance").
 * Each rule gets the method and the parameter set.
 */
const leniencies: Record<string, (method: string, params: readonly Json[]) => boolean> = {
  "uppercase hex digits (the spec's patterns are lowercase; geth accepts both)": (_m, params) =>
    /"0x[0-9a-fA-F]*[A-F][0-9a-fA-F]*"/.test(JSON.stringify(params)),
  "an EIP-1898 block hash or object where the spec names a block number or tag": (
    method,
    params,
  ) => {
    const block = params[eip1898Position[method] ?? -1];
    return (
      (typeof block === "string" && /^0x[0-9a-fA-F]{64}$/.test(block)) ||
      (typeof block === "object" &&
        block !== null &&
        !Array.isArray(block) &&
        ("blockHash" in block || "blockNumber" in block))
    );
  },
  "unknown fields of a transaction object are ignored, as geth ignores them": (method, params) =>
    ["eth_call", "eth_estimateGas", "eth_createAccessList"].includes(method) &&
    typeof params[0] === "object" &&
    params[0] !== null &&
    !Array.isArray(params[0]) &&
    Object.keys(params[0]).some(
      (key) =>
        ![
          "from",
          "to",
          "gas",
          "value",
          "input",
          "nonce",
          "type",
          "chainId",
          "gasPrice",
          "maxFeePerGas",
          "maxPriorityFeePerGas",
          "accessList",
        ].includes(key),
    ),
  "eth_call's third parameter (state overrides) may be present as null": (method, params) =>
    method === "eth_call" && params.length === 3 && params[2] === null,
  "eth_feeHistory's blockCount may be a JSON number (as geth and many clients send it)": (
    method,
    params,
  ) => method === "eth_feeHistory" && typeof params[0] === "number",
  "eth_feeHistory's rewardPercentiles may be absent or null (as geth)": (method, params) =>
    method === "eth_feeHistory" && (params.length === 2 || params[2] === null),
  "null for an optional parameter means absent (as geth)": (method, params) => {
    const spec = methods.get(method);
    return (
      spec !== undefined &&
      params.some((param, i) => param === null && spec.params[i]?.required !== true)
    );
  },
};

const HASH = `0x${"ab".repeat(32)}`;
const ADDRESS = `0x${"cd".repeat(20)}`;
/** Malformed (and some well-formed) values tried in every parameter position. */
const junk: Json[] = [
  null,
  true,
  1,
  -1,
  1.5,
  "",
  "0x",
  "0x0",
  "0x00",
  "0x01",
  "0x1",
  "0xg1",
  "0X1",
  "1",
  "latest",
  "nope",
  `0x1${"0".repeat(16)}`,
  `0x${"f".repeat(65)}`,
  HASH,
  `0x${"AB".repeat(32)}`,
  `0x${"ab".repeat(31)}`,
  ADDRESS,
  `0x${"cd".repeat(19)}`,
  [],
  ["0x1"],
  [HASH],
  {},
  { foo: 1 },
  { blockHash: HASH },
  { blockNumber: "0x0" },
];

let dataDir: string;
let node: NodeProcess;
let keys: DevKeysFile;
let provider: JsonRpcProvider;

async function rpc(method: string, params: readonly Json[]) {
  const response = await fetch(node.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return (await response.json()) as { result?: Json; error?: { code: number; message: string } };
}

const valid: Record<string, Json[]> = {};
/** More answers to validate: [method, params, what the answer shows]. */
const extra: [string, Json[], string][] = [];
let pendingHash: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "custos-e2e-conformance-"));
  node = await spawnDevNode({ dataDir });
  keys = await node.devKeys();
  provider = new JsonRpcProvider(node.rpcUrl, undefined, {
    cacheTimeout: -1,
    pollingInterval: 100,
  });
  const key = keys.hospitals[0]?.recorder.privateKey as string;
  const wallet = new Wallet(key, provider);
  const registryAddress = keys.contracts.consentRegistry.toLowerCase();
  const registry = new Contract(registryAddress, consentRegistryAbi, wallet);
  const terms = { purposes: 2, categories: 4, validFrom: 0, validUntil: 0 };
  const subject = hexlify(randomBytes(32));
  const logFilter = (await rpc("eth_newFilter", [{ fromBlock: "0x0", address: registryAddress }]))
    .result as string;
  const blockFilter = (await rpc("eth_newBlockFilter", [])).result as string;
  const tx = await registry.getFunction("grant")(1, subject, terms, id("conformance"));
  const receipt = await tx.wait();
  const blockNumber = `0x${(receipt?.blockNumber ?? 1).toString(16)}`;
  const blockHash = receipt?.blockHash as string;
  const from = wallet.address.toLowerCase();
  const consentOf = registry.interface.encodeFunctionData("consentOf", [1, subject]);
  const grant = registry.interface.encodeFunctionData("grant", [
    1,
    hexlify(randomBytes(32)),
    terms,
    id("x"),
  ]);
  const nonce = await provider.getTransactionCount(wallet.address, "pending");
  const network = await provider.getNetwork();
  const sign = (n: number) =>
    wallet.signTransaction({
      type: 2,
      chainId: network.chainId,
      nonce: n,
      to: from,
      value: 1,
      gasLimit: 21_000,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 0,
    });
  // A nonce gap keeps this one in the pool: eth_getTransactionByHash shows a pooled transaction.
  const queued = await sign(nonce + 5);
  pendingHash = (await rpc("eth_sendRawTransaction", [queued])).result as string;
  const uninstall = (await rpc("eth_newBlockFilter", [])).result as string;

  Object.assign(valid, {
    web3_clientVersion: [],
    net_version: [],
    net_listening: [],
    net_peerCount: [],
    eth_chainId: [],
    eth_blockNumber: [],
    eth_syncing: [],
    eth_accounts: [],
    eth_gasPrice: [],
    eth_maxPriorityFeePerGas: [],
    eth_feeHistory: ["0x2", "latest", [25, 75]],
    eth_getBalance: [from, "latest"],
    eth_getCode: [registryAddress, blockNumber],
    eth_getStorageAt: [registryAddress, "0x0", "latest"],
    eth_getTransactionCount: [from, "latest"],
    eth_call: [{ to: registryAddress, input: consentOf }, "latest"],
    eth_estimateGas: [{ from, to: registryAddress, input: grant }],
    eth_createAccessList: [{ from, to: registryAddress, input: grant }, "latest"],
    eth_sendRawTransaction: [await sign(nonce)],
    eth_getTransactionByHash: [tx.hash],
    eth_getTransactionReceipt: [tx.hash],
    eth_getBlockByNumber: [blockNumber, true],
    eth_getBlockByHash: [blockHash, false],
    eth_getBlockReceipts: [blockNumber],
    eth_getBlockTransactionCountByHash: [blockHash],
    eth_getBlockTransactionCountByNumber: [blockNumber],
    eth_getTransactionByBlockHashAndIndex: [blockHash, "0x0"],
    eth_getTransactionByBlockNumberAndIndex: [blockNumber, "0x0"],
    eth_getLogs: [{ fromBlock: "0x0", toBlock: "latest", address: registryAddress }],
    eth_newFilter: [{ fromBlock: "0x1", address: registryAddress, topics: [] }],
    eth_newBlockFilter: [],
    eth_newPendingTransactionFilter: [],
    eth_getFilterChanges: [blockFilter],
    eth_getFilterLogs: [logFilter],
    eth_uninstallFilter: [uninstall],
    eth_getProof: [registryAddress, ["0x0", "0x1"], blockNumber],
    debug_traceTransaction: [tx.hash, { tracer: "callTracer" }],
    debug_getRawHeader: [blockNumber],
    debug_getRawReceipts: [blockNumber],
    debug_getRawBlock: [blockNumber],
  });
  extra.push(
    ["eth_getFilterChanges", [logFilter], "a log filter's changes"],
    ["eth_getBlockByNumber", ["0xffffff", false], "an unknown block (null)"],
    ["eth_getBlockByHash", [HASH, true], "an unknown block (null)"],
    ["eth_getBlockReceipts", ["0xffffff"], "an unknown block (null)"],
    ["eth_getBlockTransactionCountByHash", [HASH], "an unknown block (null)"],
    ["eth_getTransactionByBlockNumberAndIndex", [blockNumber, "0x99"], "no such index (null)"],
    ["eth_getTransactionByHash", [HASH], "an unknown transaction (null)"],
    ["eth_getTransactionReceipt", [pendingHash], "a pooled transaction's receipt (null)"],
    ["eth_getProof", [ADDRESS, [], "latest"], "an absent account"],
    ["eth_feeHistory", ["0x1", "latest", []], "no percentiles"],
  );
});

afterAll(async () => {
  provider?.destroy();
  expect(await node?.stop()).toBe(0);
  await rm(dataDir, { recursive: true, force: true });
});

describe("execution-apis conformance of the node process", () => {
  it("covers every method the node serves", () => {
    const served = rpcMethods
      .map((method) => method.name)
      .filter((name) => !webSocketOnly.has(name));
    expect(Object.keys(valid).sort()).toEqual(served.sort());
    for (const name of served) {
      expect(
        methods.has(name) || name in outsideSpec,
        `${name} is neither in the spec nor listed`,
      ).toBe(true);
    }
  });

  it("answers valid parameters with schema-valid results", async () => {
    // The validators are not vacuous: the spec's references resolve and bind.
    expect(validator(methods.get("eth_getProof")?.result?.schema ?? false)({})).toBe(false);
    expect(validator(methods.get("eth_blockNumber")?.result?.schema ?? false)("0x01")).toBe(false);
    const problems: string[] = [];
    const check = async (name: string, params: Json[], what: string) => {
      const answer = await rpc(name, params);
      if (answer.error !== undefined) {
        problems.push(`${name} (${what}): error ${JSON.stringify(answer.error)}`);
        return;
      }
      const method = methods.get(name);
      if (method === undefined) {
        if (!outsideSpec[name]?.(answer.result))
          problems.push(`${name}: unexpected ${JSON.stringify(answer.result)}`);
        return;
      }
      expect(specValidParams(method, params), `${name} params are valid by the spec`).toBe(true);
      const validate = validator(method.result?.schema ?? true);
      if (!validate(answer.result)) {
        problems.push(
          `${name} (${what}): ${ajv.errorsText(validate.errors)} in ${JSON.stringify(answer.result).slice(0, 300)}`,
        );
      }
    };
    for (const [name, params] of Object.entries(valid)) await check(name, params, "valid params");
    for (const [name, params, what] of extra) await check(name, params, what);
    expect(problems).toEqual([]);
  });

  it("keeps null block fields for a pooled transaction, the one documented deviation in answers", async () => {
    const answer = await rpc("eth_getTransactionByHash", [pendingHash]);
    const pooled = answer.result as Record<string, Json>;
    expect(pooled).toMatchObject({
      blockHash: null,
      blockNumber: null,
      blockTimestamp: null,
      transactionIndex: null,
    });
    const validate = validator(methods.get("eth_getTransactionByHash")?.result?.schema ?? true);
    expect(validate(pooled)).toBe(false);
    // Everything else conforms: the same object with block fields filled in validates.
    const placed = {
      ...pooled,
      blockHash: HASH,
      blockNumber: "0x1",
      blockTimestamp: "0x1",
      transactionIndex: "0x0",
    };
    expect(validate(placed), ajv.errorsText(validate.errors)).toBe(true);
  });

  it("refuses spec-invalid parameters with -32602, but for the documented leniencies", async () => {
    const notRefused: string[] = [];
    const lenient = new Map<string, number>();
    let invalidSets = 0;
    let refused = 0;
    for (const [name, params] of Object.entries(valid)) {
      const method = methods.get(name);
      if (method === undefined || name === "eth_sendRawTransaction") continue;
      const candidates: Json[][] = [
        [...params, "0x1"],
        [...params, null],
      ];
      for (let i = 0; i < method.params.length; i++) {
        if (method.params[i]?.required === true) candidates.push(params.slice(0, i));
        for (const value of junk) {
          const mutated = [...params];
          while (mutated.length < i) mutated.push(null);
          mutated[i] = value;
          candidates.push(mutated);
        }
      }
      for (const candidate of candidates) {
        if (specValidParams(method, candidate)) continue;
        invalidSets++;
        const answer = await rpc(name, candidate);
        if (answer.error?.code === -32602) {
          refused++;
          continue;
        }
        const rule = Object.entries(leniencies).find(([, applies]) =>
          applies(name, candidate),
        )?.[0];
        if (rule === undefined)
          notRefused.push(
            `${name}(${JSON.stringify(candidate)}) → ${JSON.stringify(answer).slice(0, 200)}`,
          );
        else lenient.set(rule, (lenient.get(rule) ?? 0) + 1);
      }
    }
    expect(notRefused).toEqual([]);
    expect(invalidSets).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(invalidSets * 0.8);
    process.stdout.write(
      `conformance: ${refused} of ${invalidSets} spec-invalid parameter sets refused with -32602; accepted by documented leniency: ${JSON.stringify(Object.fromEntries(lenient))}\n`,
    );
  });
});
