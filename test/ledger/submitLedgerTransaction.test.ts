/**
 * The raw sending path of `submitLedgerTransaction` (a wallet on a JSON-RPC provider) against
 * a real EDR chain reached through a LedgerRpcProvider whose transport hands each request to
 * Hardhat's provider: batch chunks are signed here and sent as one `eth_sendRawTransaction`
 * each on a shared fee quote, and a refused transaction maps as ethers' path maps it.
 */
import { FetchRequest, HDNodeWallet, Mnemonic, Wallet } from "ethers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
  createConsentRegistryClient,
  LedgerRpcProvider,
  ledgerContracts,
} from "../../src/ledger/index.ts";
import { bindLedgerContract } from "../../src/ledger/ledgerHandle.ts";
import { submitLedgerTransaction } from "../../src/ledger/submitLedgerTransaction.ts";
import { expectCustosError } from "../expectCustosError.ts";
import { connectLedger, doc, ORG, subject } from "./ledgerFixture.ts";

/** Hardhat's default accounts come from this phrase (m/44'/60'/0'/0/i). */
const HARDHAT_PHRASE = "test test test test test test test test test test test junk";
const keyOf = (index: number) =>
  HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_PHRASE), `m/44'/60'/0'/0/${index}`)
    .privateKey;

let ledger: Awaited<ReturnType<typeof connectLedger>>;
let registryAddress: string;
beforeAll(async () => {
  ledger = await connectLedger();
  registryAddress = (await ledger.deploy()).addresses.registry;
});

/** A LedgerRpcProvider over Hardhat's in-process chain, counting requests by method. */
function bridgedProvider() {
  const methods: string[] = [];
  const request = new FetchRequest("http://edr.invalid/");
  request.getUrlFunc = async (req) => {
    const payload = JSON.parse(new TextDecoder().decode(req.body ?? new Uint8Array()));
    const calls = (Array.isArray(payload) ? payload : [payload]) as {
      id: number;
      method: string;
      params: unknown[];
    }[];
    const answers = await Promise.all(
      calls.map(async ({ id, method, params }) => {
        methods.push(method);
        try {
          const result = await ledger.connection.provider.request({ method, params });
          return { jsonrpc: "2.0", id, result };
        } catch (caught) {
          const { code, message, data } = caught as {
            code?: number;
            message: string;
            data?: unknown;
          };
          return { jsonrpc: "2.0", id, error: { code: code ?? -32000, message, data } };
        }
      }),
    );
    return {
      statusCode: 200,
      statusMessage: "OK",
      headers: { "content-type": "application/json" },
      body: new TextEncoder().encode(JSON.stringify(Array.isArray(payload) ? answers : answers[0])),
    } as never;
  };
  const provider = new LedgerRpcProvider(request, undefined, { cacheTimeout: -1 });
  return { provider, methods };
}

describe("submitLedgerTransaction, wallet on a JSON-RPC provider", () => {
  it("sends each chunk as one raw transaction on one fee quote while it is fresh", async () => {
    const { provider, methods } = bridgedProvider();
    const now = performance.now();
    const clock = vi.spyOn(performance, "now").mockReturnValue(now);
    try {
      const wallet = new Wallet(keyOf(11), provider);
      expect(wallet.address).toBe(ledger.accounts.recorderA.address);
      const registry = createConsentRegistryClient({
        address: registryAddress,
        runner: wallet,
        custodian: ORG.hospitalA,
      });
      const entries = Array.from({ length: 24 }, (_, i) => ({
        subject: subject(`raw-${i}`),
        documentHash: doc(`raw-${i}`),
      }));
      const terms = { purposes: 1, categories: 1, validFrom: 0, validUntil: 0 };
      const result = await registry.batchGrant(entries, terms, {
        maxChunkSize: 4,
        blocksInFlight: 2,
      });
      expect(result.failed).toEqual([]);
      expect(result.landed).toHaveLength(6);
      expect(
        result.landed.flatMap((c) =>
          c.transaction.events.map((e) => e.name === "ConsentGranted" && e.args.subject),
        ),
      ).toEqual(entries.map((e) => e.subject));
      const count = (method: string) => methods.filter((m) => m === method).length;
      expect(count("eth_sendRawTransaction")).toBe(6);
      // One fee quote for the batch (its clock stands still here); ethers' send asks per chunk.
      expect(count("eth_maxPriorityFeePerGas")).toBe(1);
      for (const entry of entries) {
        expect((await registry.consentOf(entry.subject)).status).toBe("active");
      }
    } finally {
      clock.mockRestore();
      provider.destroy();
    }
  });

  it("maps a refused transaction (nonce used) as ethers' path does", async () => {
    const { provider } = bridgedProvider();
    try {
      const wallet = new Wallet(keyOf(12), provider);
      const bound = bindLedgerContract(ledgerContracts.ConsentRegistry, {
        address: registryAddress,
        runner: wallet,
      });
      const args = [
        ORG.hospitalB,
        [subject("used-nonce")],
        { purposes: 1, categories: 1, validFrom: 0n, validUntil: 0n },
        [doc("used-nonce")],
      ] as const;
      const options = { gasLimit: 1_000_000n, nonce: await wallet.getNonce("pending") };
      await submitLedgerTransaction(bound, bound.abi.functions.batchGrant, args, options);
      await expectCustosError(
        submitLedgerTransaction(bound, bound.abi.functions.batchGrant, args, options),
        "LEDGER_TRANSACTION_REJECTED",
      );
    } finally {
      provider.destroy();
    }
  });
});
