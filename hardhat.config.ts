import { createRequire } from "node:module";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import { configVariable, type HardhatUserConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

const config: HardhatUserConfig = {
  plugins: [hardhatEthers],
  solidity: {
    version: require("solc/package.json").version,
    path: require.resolve("solc/soljson.js"),
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
  },
  networks: {
    // A running Custos node (`custos node`); its URL and a member account's key come from
    // the environment, never from this file.
    custos: {
      type: "http",
      chainType: "l1",
      url: configVariable("CUSTOS_RPC_URL"),
      accounts: [configVariable("CUSTOS_PRIVATE_KEY")],
    },
  },
  test: { solidity: { fuzz: { runs: 256, seed: "0x1" } } },
};

export default config;
