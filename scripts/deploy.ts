/**
 * Deploys Consortium, ConsentRegistry and AccessLedger through Hardhat to the network given
 * by `--network` (e.g. a running Custos node):
 *
 *   CUSTOS_RPC_URL=http://127.0.0.1:8545 CUSTOS_PRIVATE_KEY=0x… \
 *   CUSTOS_RECORDER_ADDRESS=0x… CUSTOS_REVIEW_BOARD_ADDRESS=0x… \
 *     npx hardhat run scripts/deploy.ts --network custos
 *
 * The deploying account must be allowed to send transactions (on a Custos chain: a
 * Consortium member). It becomes the admin account (and validator address) of the one
 * bootstrap hospital of the new consortium; `CUSTOS_RECORDER_ADDRESS` becomes that hospital's
 * consent recorder (an admin account is never a recorder) and `CUSTOS_REVIEW_BOARD_ADDRESS`
 * the account of a review board (AccessLedger needs at least one review board for its one
 * required approval). A one-block execution delay and a 1,000-block voting period — a
 * consortium for trying contracts out; a production consortium is created at genesis
 * (`custos genesis`). Prints the addresses as one JSON line on stdout.
 */
import { getAddress, id, isAddress, ZeroAddress } from "ethers";
import { network } from "hardhat";
import { deployContracts, Role } from "./deployContracts.ts";

/** An address from the environment variable `name`, required. */
function addressFromEnv(name: string, what: string): string {
  const value = process.env[name]?.trim();
  if (value === undefined || value === "" || !isAddress(value)) {
    throw new Error(`set ${name} to the address of ${what}`);
  }
  return getAddress(value);
}

const recorder = addressFromEnv("CUSTOS_RECORDER_ADDRESS", "the hospital's consent recorder");
const reviewBoard = addressFromEnv("CUSTOS_REVIEW_BOARD_ADDRESS", "the review board's account");
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
      recorders: [recorder],
      validator: address,
    },
    {
      role: Role.ReviewBoard,
      metadata: id("review-board-deployed-by-hardhat"),
      accounts: [reviewBoard],
      recorders: [],
      validator: ZeroAddress,
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
    recorder,
    reviewBoard,
    consortium: await consortium.getAddress(),
    consentRegistry: await registry.getAddress(),
    accessLedger: await ledger.getAddress(),
  })}\n`,
);
