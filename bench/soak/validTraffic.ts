/**
 * Valid traffic of the soak test: each client is one hospital's consent recorder that, in a
 * loop, grants a consent to a new subject, waits for the receipt, checks the consent with an
 * `isPermitted` eth_call, finds the grant's event with a bounded `eth_getLogs` and reads the
 * head block — what a hospital's data service does all day. Any failure is a soak failure.
 */
import { JsonRpcProvider, keccak256, toUtf8Bytes, Wallet } from "ethers";
import { dataCategories, purposeCodes } from "../../src/consent/index.ts";
import { type ConsentRegistryEvent, ledgerContracts } from "../../src/ledger/index.ts";

/** One client's identity on the dev chain. */
export interface ValidClientKey {
  /** The hospital's organisation id (its records' custodian). */
  readonly custodian: number;
  /** The hospital's consent recorder key. */
  readonly privateKey: string;
}

/** What the valid clients did. */
export interface ValidTrafficReport {
  readonly operations: number;
  readonly grants: number;
  readonly errors: number;
  /** The first few error messages, for the report. */
  readonly errorSamples: string[];
  /** Latency of each whole loop iteration (grant → receipt → reads), milliseconds. */
  readonly iterationMs: number[];
}

const TERMS = {
  purposes: purposeCodes.GRU.bit,
  categories: dataCategories.CONDITIONS.bit,
  validFrom: 0,
  validUntil: 0,
};

/**
 * Runs one valid client per key until `stop` is called; resolves with the combined report.
 */
export function runValidTraffic(
  rpcUrl: string,
  chainId: number,
  registryAddress: string,
  keys: readonly ValidClientKey[],
): { stop(): Promise<ValidTrafficReport> } {
  const report: ValidTrafficReport = {
    operations: 0,
    grants: 0,
    errors: 0,
    errorSamples: [],
    iterationMs: [],
  };
  const { iface, functions } = ledgerContracts.ConsentRegistry;
  const granted = iface.getEvent("ConsentGranted" satisfies ConsentRegistryEvent["name"]);
  if (granted === null) throw new Error("ConsentRegistry ABI has no ConsentGranted");
  let running = true;
  const count = (field: "operations" | "grants" | "errors") => {
    (report as Record<typeof field, number>)[field] += 1;
  };
  const fail = (error: unknown) => {
    count("errors");
    if (report.errorSamples.length < 10) {
      report.errorSamples.push(
        error instanceof Error ? error.message.slice(0, 300) : String(error),
      );
    }
  };

  const client = async (key: ValidClientKey, index: number) => {
    const provider = new JsonRpcProvider(rpcUrl, chainId, {
      staticNetwork: true,
      cacheTimeout: -1,
    });
    provider.pollingInterval = 200;
    const wallet = new Wallet(key.privateKey, provider);
    let n = 0;
    while (running) {
      const started = performance.now();
      const subject = keccak256(toUtf8Bytes(`soak:${index}:${n}`));
      try {
        const tx = await wallet.sendTransaction({
          to: registryAddress,
          data: functions.grant.encode([
            key.custodian,
            subject,
            TERMS,
            keccak256(toUtf8Bytes(`soak-document:${index}:${n}`)),
          ]),
        });
        const receipt = await tx.wait(1, 30_000);
        if (receipt === null || receipt.status !== 1) throw new Error(`grant ${tx.hash} failed`);
        count("grants");
        count("operations");
        const permitted = functions.isPermitted.decode(
          await wallet.call({
            to: registryAddress,
            data: functions.isPermitted.encode([
              key.custodian,
              subject,
              purposeCodes.GRU.bit,
              TERMS.categories,
              BigInt(Math.floor(Date.now() / 1000)),
            ]),
          }),
        );
        if (permitted !== true) throw new Error("a fresh grant is not permitted");
        count("operations");
        const logs = await provider.getLogs({
          address: registryAddress,
          topics: [granted.topicHash, subject],
          fromBlock: Math.max(0, receipt.blockNumber - 100),
          toBlock: receipt.blockNumber,
        });
        if (logs.length !== 1) throw new Error(`expected 1 ConsentGranted log, got ${logs.length}`);
        count("operations");
        const head = await provider.getBlock("latest");
        if (head === null || head.number < receipt.blockNumber) throw new Error("head went back");
        count("operations");
        report.iterationMs.push(performance.now() - started);
      } catch (error) {
        if (running) fail(error);
      }
      n += 1;
    }
    provider.destroy();
  };

  const clients = keys.map((key, index) => client(key, index));
  return {
    async stop() {
      running = false;
      await Promise.all(clients);
      return report;
    },
  };
}
