import { createRequire } from "node:module";
import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import type { HardhatUserConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

const config: HardhatUserConfig = {
  plugins: [hardhatEthers],
  solidity: {
    version: require("solc/package.json").version,
    path: require.resolve("solc/soljson.js"),
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
  },
  test: { solidity: { fuzz: { runs: 256, seed: "0x1" } } },
};

export default config;
