/**
 * Hardhat config of the node benchmark's EDR chain (`hardhat node --network bench`), kept out
 * of the project's hardhat.config.ts so the benchmark's accounts and mining mode do not leak
 * into tests. The benchmark passes them in CUSTOS_BENCH_EDR (see edrChain.ts).
 */
import type { HardhatUserConfig } from "hardhat/config";
import type { EdrBenchSettings } from "./edrChain.ts";

const settings = JSON.parse(process.env.CUSTOS_BENCH_EDR ?? "null") as EdrBenchSettings | null;
if (settings === null)
  throw new Error("CUSTOS_BENCH_EDR is not set: start this through bench:node");

const config: HardhatUserConfig = {
  // Hardhat creates these: keep them in the run's temporary directory, not in bench/.
  paths: { artifacts: `${settings.dir}/artifacts`, cache: `${settings.dir}/cache` },
  networks: {
    bench: {
      type: "edr-simulated",
      chainId: settings.chainId,
      hardfork: "cancun",
      blockGasLimit: settings.blockGasLimit,
      accounts: [...settings.accounts],
      mining:
        settings.intervalMs === undefined
          ? { auto: true }
          : { auto: false, interval: settings.intervalMs, mempool: { order: "fifo" } },
    },
  },
};

export default config;
