import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { bigIntToHex, bytesToHex } from "@ethereumjs/util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBlockCommand } from "../../../nodes/bin/commands/block.ts";
import { runCli } from "../../../nodes/bin/runCli.ts";
import { decodeBlockHeader } from "../../../nodes/chain/index.ts";
import { headerWithExtraData } from "../../../nodes/chain/qbft/withExtraData.ts";
import { expectCustosError } from "../../expectCustosError.ts";
import { block7528 } from "../chain/qbft/besuVectors.ts";
import { captureIo } from "./captureIo.ts";

const sealedHex = bytesToHex(block7528.sealed);

async function inspect(
  args: readonly string[],
): Promise<{ code: number; out: string; err: string }> {
  const c = captureIo();
  const code = await runCli(["block", "inspect", ...args], c.io, [createBlockCommand()]);
  return { code, out: c.out(), err: c.err() };
}

/** eth_getBlockByNumber's answer for block #7528, as a Besu node gives it. */
function block7528Json(): Record<string, string> {
  const h = decodeBlockHeader(block7528.sealed);
  return {
    number: bigIntToHex(h.number),
    hash: block7528.onchainHash,
    parentHash: bytesToHex(h.parentHash),
    sha3Uncles: bytesToHex(h.uncleHash),
    miner: h.coinbase.toString(),
    stateRoot: bytesToHex(h.stateRoot),
    transactionsRoot: bytesToHex(h.transactionsTrie),
    receiptsRoot: bytesToHex(h.receiptTrie),
    logsBloom: bytesToHex(h.logsBloom),
    difficulty: bigIntToHex(h.difficulty),
    gasLimit: bigIntToHex(h.gasLimit),
    gasUsed: bigIntToHex(h.gasUsed),
    timestamp: bigIntToHex(h.timestamp),
    extraData: bytesToHex(h.extraData),
    mixHash: bytesToHex(h.mixHash),
    nonce: bytesToHex(h.nonce),
  };
}

describe("custos block inspect <header-rlp>", () => {
  it("prints Besu block #7528's hashes, validators, seals, committers and quorum", async () => {
    const { code, out } = await inspect([sealedHex]);
    expect(code).toBe(0);
    expect(out).toMatch(/^number\s+7528$/m);
    expect(out).toMatch(new RegExp(`^hash\\s+${block7528.onchainHash}`, "m"));
    expect(out).toMatch(new RegExp(`^commit-seal hash\\s+${block7528.commitSealHash}`, "m"));
    expect(out).toMatch(/^round\s+1$/m);
    for (const validator of block7528.validators) expect(out).toContain(validator);
    for (const prefix of block7528.committerPrefixes) expect(out).toContain(`committer ${prefix}`);
    expect(out).toMatch(/^quorum\s+3 distinct validator committers, 3 needed of 4: yes$/m);
  });

  it("prints the same as JSON with --json", async () => {
    const { code, out } = await inspect([sealedHex.slice(2), "--json"]);
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json).toMatchObject({
      number: "7528",
      hash: block7528.onchainHash,
      commitSealHash: block7528.commitSealHash,
      proposer: "0xee3353e587cfa91625a1adaef308a726de3803d3",
      proposerIsValidator: true,
      validators: block7528.validators,
      vote: null,
      round: 1,
      committers: 3,
      quorum: 3,
      quorate: true,
    });
    expect(json.seals).toHaveLength(3);
    for (const seal of json.seals) {
      expect(block7528.validators).toContain(seal.committer);
      expect(seal).toMatchObject({ validator: true, duplicate: false });
    }
  });

  it("says no quorum for the unsealed header", async () => {
    const { code, out } = await inspect([bytesToHex(block7528.unsealed), "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      hash: block7528.onchainHash,
      committers: 0,
      quorate: false,
    });
  });

  it("fails with a typed error on bad input", async () => {
    const command = createBlockCommand();
    const run = (args: string[]) => command.run(["inspect", ...args], captureIo().io);
    await expectCustosError(run(["0xabc"]), "CLI_USAGE");
    await expectCustosError(run(["zz"]), "CLI_USAGE");
    await expectCustosError(run([]), "CLI_USAGE");
    await expectCustosError(run([sealedHex, "--number", "1"]), "CLI_USAGE");
    await expectCustosError(run(["0xc0"]), "BLOCK_INVALID");
    await expectCustosError(run([sealedHex.slice(0, -2)]), "BLOCK_INVALID");
    const garbled = headerWithExtraData(decodeBlockHeader(block7528.sealed), Uint8Array.of(0xc0));
    const error = await expectCustosError(
      run([bytesToHex(garbled.serialize())]),
      "QBFT_EXTRA_DATA_INVALID",
    );
    expect(error.details.field).toBe("vanity");
    expect((await inspect(["0xabc"])).code).toBe(2);
    const typed = await inspect(["0xc0"]);
    expect(typed.code).toBe(1);
    expect(typed.err).toMatch(/^error BLOCK_INVALID: /);
  });
});

describe("custos block inspect --rpc", () => {
  let server: Server;
  let url: string;
  const requests: unknown[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        const request = JSON.parse(body);
        requests.push(request);
        const result = request.params[0] === "0x1d68" ? block7528Json() : null;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ jsonrpc: "2.0", id: request.id, result }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("fetches the block, rebuilds its header and compares the node's hash", async () => {
    const { code, out } = await inspect(["--rpc", url, "--number", "7528", "--json"]);
    expect(code).toBe(0);
    expect(requests.at(-1)).toMatchObject({
      method: "eth_getBlockByNumber",
      params: ["0x1d68", false],
    });
    expect(JSON.parse(out)).toMatchObject({
      hash: block7528.onchainHash,
      commitSealHash: block7528.commitSealHash,
      rpcHash: block7528.onchainHash,
      rpcHashMatches: true,
      quorate: true,
    });
    const text = await inspect(["--rpc", url, "--number", "7528"]);
    expect(text.out).toMatch(/^rpc hash\s+0x5025\S+ \(matches\)$/m);
  });

  it("fails with a typed error for a missing block, an unreachable node or a bad flag", async () => {
    const command = createBlockCommand();
    const run = (args: string[]) => command.run(["inspect", ...args], captureIo().io);
    await expectCustosError(run(["--rpc", url, "--number", "1"]), "RPC_RESOURCE_NOT_FOUND");
    await expectCustosError(run(["--rpc", url]), "CLI_USAGE");
    await expectCustosError(run(["--rpc", "ftp://x", "--number", "1"]), "CLI_USAGE");
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expectCustosError(
      run(["--rpc", `http://127.0.0.1:${port}`, "--number", "1"]),
      "LEDGER_UNAVAILABLE",
    );
  });
});
