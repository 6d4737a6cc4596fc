/**
 * Deploys Consortium, ConsentRegistry and AccessLedger through Hardhat to the network given
 * by `--network` (e.g. a running Custos node):
 *
 *   CUSTOS_RPC_URL=http://127.0.0.1:8545 CUSTOS_PRIVATE_KEY=0x… \
 *     npx hardhat run scripts/deploy.ts --network custos
 *
 * The deploying account must be allowed to send transactions (on a Custos chain: a
 * Consortium member). It becomes the one bootstrap hospital of the new consortium (account,
 * recorder and validator address), with a one-block execution delay, a 1,000-block voting
 * period and one review-board approval per query — a consortium for trying contracts out;
 * a production consortium is created at genesis (`custos genesis`). Prints the addresses as
 * one JSON line on stdout.
 */
import { id } from "ethers";
import { network } from "hardhat";
import { deployContracts, Role } from "./deployContracts.ts";

const { ethers } = await network.getOrCreate();
const [deployer] = await ethers.getSigners();
if (deployer === undefined) {
  throw new Error("the network has no account: set CUSTOS_PRIVATE_KEY");
}
const address = await deployer.getAddress();
const { consortium, registry, ledger } = await deployContracts(deployer, {
  organisations: [
    {
      role: Role.Hospital,
      metadata: id("deployed-by-hardhat"),
      accounts: [address],
      recorders: [address],
      validator: address,
    },
  ],
  executionDelay: 1,
  votingPeriod: 1000,
  requiredApprovals: 1,
});
process.stdout.write(
  `${JSON.stringify({
    chainId: Number((await ethers.provider.getNetwork()).chainId),
    deployer: address,
    consortium: await consortium.getAddress(),
    consentRegistry: await registry.getAddress(),
    accessLedger: await ledger.getAddress(),
  })}\n`,
);
