/**
 * `npm start`: the Custos flow end to end on a real 4-hospital network, printing every event.
 *
 * Brings up a local network as `custos network up` does: four hospital validators, each a
 * separate `custos node` process on 127.0.0.1 talking QBFT over libp2p, with Consortium,
 * ConsentRegistry and AccessLedger at genesis, a researcher organisation, a review board and
 * a regulator (each hospital has an admin account and a separate consent recorder). It shows
 * a block finalised by a quorum of commit seals (3 of 4), then drives the network over
 * JSON-RPC with ethers, as any client would: a hospital's recorder records consents (single,
 * bulk, and a patient-signed EIP-712 update bound to the record's nonce) and another
 * hospital's node serves the same state; a researcher submits a query that the review board
 * approves; the hospital's admin sets the researcher's ε budget; one hospital's recorder
 * records its result hash with the consent snapshot of the approval block, the other
 * declines; a patient revokes by signature and the revocation wins at once: a signature she
 * made before it is refused as stale. Then one hospital's node is killed (kill -9) — the
 * other three keep finalising blocks — and rejoins; governance (the hospitals' admins) votes
 * a fifth hospital in, whose validator joins the set two blocks after execution and signs.
 * Stops every node and exits non-zero on any failure.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, type Interface, id, JsonRpcProvider, type Log, Wallet } from "ethers";
import { writeOmopData } from "../nodes/bin/commands/data/writeOmopData.ts";
import { signalStop } from "../nodes/bin/signalStop.ts";
import {
  type DevGenesisKeys,
  decodeQbftExtraData,
  headerFromRpc,
  recoverCommitters,
} from "../nodes/chain/index.ts";
import {
  addLocalHospital,
  createLocalNetwork,
  findFreePortRange,
  type LocalNetwork,
  type LocalNetworkNode,
  type LocalNodeProcess,
  loadLocalConsents,
  startLocalDataServices,
  startLocalNetwork,
  startLocalNode,
  stopLocalNetwork,
  writeLocalDataServices,
} from "../nodes/localnet/index.ts";
import { canonicalHash } from "../src/canonical/index.ts";
import { dataCategories, permitsUse, purposeCodes } from "../src/consent/index.ts";
import { accessLedgerAbi, consentRegistryAbi, consortiumAbi } from "../src/contracts/index.ts";
import {
  buildConsentTypedData,
  type ConsentTypedDataKind,
  type ConsentTypedDataMessages,
  consentTypedDataDomain,
  signConsentTypedData,
} from "../src/ledger/index.ts";
import { createMasterKey, createPseudonymiser, deriveProjectKey } from "../src/pseudonym/index.ts";
import { type DemoPatient, showDemoPatient } from "./demo/demoPatient.ts";
import { runDemoQuery } from "./demo/demoQuery.ts";
import { Role } from "./deployContracts.ts";

const P = purposeCodes;
const C = dataCategories;

const networkDir = await mkdtemp(join(tmpdir(), "custos-demo-"));
let network: LocalNetwork = await createLocalNetwork({
  dir: networkDir,
  hospitals: 4,
  basePort: await findFreePortRange(5),
  p2pBasePort: await findFreePortRange(5),
});
const processes = new Map<string, LocalNodeProcess>();
/** The patient whose portal shows the demo query, once the demo has run. */
let demoPatient: DemoPatient | undefined;
let failed = false;
process.stdout.write("Generating synthetic OMOP data for 4 hospitals (10,000 persons)…\n");
const omop = await writeOmopData({
  out: join(networkDir, "omop"),
  persons: 10_000,
  hospitals: 4,
  seed: 1,
  consentRate: 0.8,
  revocationRate: 0.05,
});
const data = await writeLocalDataServices(network, {
  omopDir: omop.out,
  basePort: await findFreePortRange(4),
  logLevel: "warn",
});
try {
  process.stdout.write("Starting a 4-hospital network (each hospital a validator process)…\n");
  for (const started of await startLocalNetwork(network, { logLevel: "warn" })) {
    processes.set(started.node.name, started);
  }
  for (const load of await loadLocalConsents(network, data)) {
    process.stdout.write(
      `${load.name}: ${load.granted} synthetic consents granted and ${load.revoked} revoked on chain by its recorder\n`,
    );
  }
  await startLocalDataServices(data);
  process.stdout.write(
    `Each hospital's data service (a separate process) reads its own OMOP data: ${data.services.map((s) => s.url).join(", ")}\n`,
  );
  await runDemo();
  if (process.env.CUSTOS_DEMO_EXIT !== "1") await stayUp();
} catch (error) {
  failed = true;
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.stderr.write(`node logs are in ${networkDir}/*/node.log (kept)\n`);
} finally {
  const stopped = await stopLocalNetwork(network);
  if (stopped.some((node) => node.outcome === "killed")) failed = true;
  if (!failed) await rm(networkDir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;

/** Keeps the network up for the user to explore until Ctrl-C (SIGINT) or SIGTERM. */
async function stayUp(): Promise<void> {
  // Listening before saying so: a Ctrl-C right after the text must stop, not kill, the demo.
  const stopRequested = signalStop();
  const dir = network.dir;
  process.stdout.write(
    [
      "",
      `The network keeps running until Ctrl-C. Its directory: ${dir}`,
      `Dashboard (regulators and hospital staff): ${urlOf(nodeNamed("hospital-0"))}/dashboard`,
      `  sign in with a browser wallet holding the regulator key (regulator in ${network.keysFile})`,
      `Patient portal: ${urlOf(nodeNamed("hospital-0"))}/portal`,
      ...(demoPatient === undefined
        ? []
        : [
            `  a patient who took part: ${urlOf(nodeNamed("hospital-0"))}/portal#custodian=${demoPatient.custodian}&subject=${demoPatient.subject}`,
            `  sign in with a browser wallet holding the key in ${demoPatient.keyFile}; "Studies that used your record" lists the demo query`,
          ]),
      `Audit API: ${urlOf(nodeNamed("hospital-0"))}/docs (OpenAPI at /openapi.json); every hospital's node serves the same on its own port`,
      "Try next, in another terminal from this repository:",
      `  npm run custos -- network status --dir ${dir}`,
      `  npm run custos -- query policy 1 --config ${dir}/researcher.json`,
      `  npm run custos -- query run --local ${omop.out}/hospital-0 <spec.json>      # a dry run on one hospital's data`,
      `  npm run custos -- query submit <spec.json> --config ${dir}/researcher.json --hospitals 1,2,3,4 --approval 0x${"ab".repeat(32)} &`,
      `  npm run custos -- query approve <id> --config ${dir}/review-board.json`,
      "Specs are described in docs/query.md; the one above is in scripts/demo/demoQuery.ts.",
      "",
    ].join("\n"),
  );
  await stopRequested;
  process.stdout.write("Stopping the network…\n");
}

function nodeNamed(name: string): LocalNetworkNode {
  const node = network.nodes.find((n) => n.name === name);
  if (node === undefined) throw new Error(`no node ${name}`);
  return node;
}

function urlOf(node: LocalNetworkNode): string {
  return `http://127.0.0.1:${node.rpcPort}`;
}

/** The validators a block's extraData lists and the addresses its commit seals recover to. */
async function sealsOf(
  provider: JsonRpcProvider,
  number: number,
): Promise<{ validators: string[]; committers: string[]; proposer: string }> {
  const block = (await provider.send("eth_getBlockByNumber", [
    `0x${number.toString(16)}`,
    false,
  ])) as Record<string, unknown>;
  const header = headerFromRpc(block);
  const hex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString("hex")}`;
  return {
    validators: decodeQbftExtraData(header.extraData).validators.map(hex),
    committers: recoverCommitters(header).map(hex),
    proposer: hex(header.coinbase.bytes),
  };
}

/** Polls until `check` gives a value, or fails after `timeoutMs`. */
async function waitUntil<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function runDemo(): Promise<void> {
  const keys = JSON.parse(await readFile(network.keysFile, "utf8")) as DevGenesisKeys;
  const genesis = JSON.parse(await readFile(network.genesisFile, "utf8")) as {
    contracts: { consortium: string; consentRegistry: string; accessLedger: string };
  };
  const hospitalA = nodeNamed("hospital-0");
  const provider = new JsonRpcProvider(urlOf(hospitalA), undefined, {
    cacheTimeout: -1,
    pollingInterval: 100,
  });
  const signer = (key: string) => new Wallet(key, provider);
  const [hospitalKeysA, hospitalKeysB, hospitalKeysC] = keys.hospitals;
  if (hospitalKeysA === undefined || hospitalKeysB === undefined || hospitalKeysC === undefined) {
    throw new Error("the demo needs a network of four hospitals");
  }
  // Each hospital: an admin account (governance, budgets) and a consent recorder (records).
  const adminA = signer(hospitalKeysA.account.privateKey);
  const recorderA = signer(hospitalKeysA.recorder.privateKey);
  const adminB = signer(hospitalKeysB.account.privateKey);
  const adminC = signer(hospitalKeysC.account.privateKey);
  const researcherAcc = signer(keys.researcher.privateKey);
  const reviewBoardAcc = signer(keys.reviewBoard.privateKey);
  const regulatorAcc = signer(keys.regulator.privateKey);
  // Fixed demo keys, so every run prints the same addresses for them.
  const demoWallet = (label: string): Wallet => new Wallet(id(`custos demo ${label}`));
  const hospitalE = demoWallet("hospital E");
  const recorderE = demoWallet("hospital E recorder");

  function say(line: string): void {
    process.stdout.write(`${line}\n`);
  }

  const contracts: { name: string; iface: Interface; address: string }[] = [];

  function labels(word: bigint, table: Record<string, { bit: number }>): string {
    const names = Object.entries(table)
      .filter(([, code]) => (word & BigInt(code.bit)) !== 0n)
      .map(([name]) => name);
    return `${word} (${names.join("|") || "none"})`;
  }

  function formatValue(value: unknown, field = ""): string {
    if (typeof value === "bigint") {
      if (field === "purposes" || field === "use" || field === "purpose") return labels(value, P);
      if (field === "categories") return labels(value, C);
      return value.toString();
    }
    if (Array.isArray(value)) return `[${value.map((v) => formatValue(v)).join(", ")}]`;
    if (typeof value === "string" && value.length === 66) return `${value.slice(0, 10)}…`;
    if (typeof value === "string" && value.startsWith("0x") && value.length > 66) {
      return `${value.slice(0, 10)}…(${(value.length - 2) / 2} bytes)`;
    }
    return String(value);
  }

  function printEvents(logs: readonly Log[]): void {
    for (const log of logs) {
      const source = contracts.find((c) => c.address === log.address.toLowerCase());
      const parsed = source?.iface.parseLog({ topics: [...log.topics], data: log.data });
      if (source === undefined || parsed == null) continue;
      const fields = parsed.fragment.inputs
        .map((input, i) => `${input.name}=${formatValue(parsed.args[i], input.name)}`)
        .join(" ");
      say(`    block ${log.blockNumber}  ${source.name}.${parsed.name}  ${fields}`);
    }
  }

  async function step(
    title: string,
    tx: Promise<{ wait(): Promise<unknown> }>,
  ): Promise<{ blockNumber: number }> {
    say(`• ${title}`);
    const receipt = (await (await tx).wait()) as {
      logs: readonly Log[];
      blockNumber: number;
    } | null;
    if (receipt === null) throw new Error(`${title}: no receipt`);
    printEvents(receipt.logs);
    return receipt;
  }

  function as(contract: Contract, signer: unknown): Contract {
    return contract.connect(signer as never) as Contract;
  }

  say(
    `Custos demo — consent and data-access ledger on a 4-hospital network (${urlOf(hospitalA)})\n`,
  );
  for (const node of network.nodes) {
    say(`• ${node.name}: validator ${node.address}, JSON-RPC ${urlOf(node)}`);
  }
  const first = await waitUntil("the first block", 60_000, async () => {
    const height = await provider.getBlockNumber();
    return height >= 1 ? height : undefined;
  });
  const sealed = await sealsOf(provider, first);
  say(
    `• block ${first} finalised: proposed by ${sealed.proposer}, commit seals from ${sealed.committers.length} of ${sealed.validators.length} validators (a quorum is ${Math.ceil((2 * sealed.validators.length) / 3)})\n`,
  );

  const consortium = new Contract(genesis.contracts.consortium, consortiumAbi, provider);
  const registry = new Contract(genesis.contracts.consentRegistry, consentRegistryAbi, provider);
  const ledger = new Contract(genesis.contracts.accessLedger, accessLedgerAbi, provider);
  for (const [name, contract] of [
    ["Consortium", consortium],
    ["ConsentRegistry", registry],
    ["AccessLedger", ledger],
  ] as const) {
    const address = (await contract.getAddress()).toLowerCase();
    contracts.push({ name, iface: contract.interface, address });
    say(`• ${name} deployed at genesis at ${address}`);
  }
  const organisationOf = async (account: Wallet): Promise<number> =>
    Number(await consortium.getFunction("organisationOf")(account.address));
  const HOSPITAL_A = await organisationOf(adminA);
  const HOSPITAL_B = await organisationOf(adminB);
  const RESEARCHER_ORG = await organisationOf(researcherAcc);
  if ((await organisationOf(recorderA)) !== HOSPITAL_A) {
    throw new Error("Hospital A's recorder is not bound to Hospital A");
  }
  say(`• hospitals ${HOSPITAL_A} and ${HOSPITAL_B}, researcher organisation ${RESEARCHER_ORG}`);
  say(
    `  Hospital A: admin account ${adminA.address} (governs, sets budgets), consent recorder ${recorderA.address} (records, nothing else)`,
  );
  say(`  validators now: ${formatValue(await consortium.getFunction("validators")())}\n`);

  say(
    "Consents (records keyed by (custodian hospital, subject); subjects are HMAC-SHA-256 pseudonyms under Hospital A's key; nothing personal on chain)",
  );
  const masterKey = createMasterKey(new Uint8Array(32).fill(7));
  const pseudonymiser = createPseudonymiser({
    key: deriveProjectKey(masterKey, { projectId: "demo" }),
    kind: "mrn",
  });
  const subjects = ["MRN-0001", "MRN-0002", "MRN-0003", "MRN-0004", "MRN-0005"].map((id) =>
    pseudonymiser.pseudonymise(id),
  );
  const [alice, ...others] = subjects as [`0x${string}`, ...`0x${string}`[]];
  const now = (await provider.getBlock("latest"))?.timestamp ?? 0;
  const research = {
    purposes: P.HMB.bit | P.NCU.bit,
    categories: C.DEMOGRAPHICS.bit | C.CONDITIONS.bit | C.DRUGS.bit | C.MEASUREMENTS.bit,
    validFrom: now - 60,
    validUntil: now + 5 * 365 * 86_400,
  };
  const consentDoc = (subject: string, version: number) =>
    canonicalHash({ resourceType: "Consent", subject, version, scope: "research" });
  await step(
    "Hospital A's recorder records Alice's research consent (HMB, non-commercial use only)",
    as(registry, recorderA).getFunction("grant")(HOSPITAL_A, alice, research, consentDoc(alice, 1)),
  );
  await step(
    `Hospital A's recorder bulk-loads ${others.length} consents in one transaction`,
    as(registry, recorderA).getFunction("batchGrant")(
      HOSPITAL_A,
      others,
      research,
      others.map((s) => consentDoc(s, 1)),
    ),
  );
  const patient = demoWallet("patient Alice");
  await step(
    "Hospital A's recorder registers Alice's own key (she signs her own changes from now on)",
    as(registry, recorderA).getFunction("setPatientKey")(HOSPITAL_A, alice, patient.address),
  );

  const { chainId } = await provider.getNetwork();
  const domain = consentTypedDataDomain(chainId, await registry.getAddress());
  const deadline = BigInt(now + 3_600);
  const recordNonce = async (): Promise<number> =>
    Number(await registry.getFunction("nonceOf")(HOSPITAL_A, alice));
  /** Alice signs a change of her record; the signature commits to its nonce `nonce`. */
  const aliceSigns = async <K extends ConsentTypedDataKind>(
    kind: K,
    message: Omit<ConsentTypedDataMessages[K], "custodian" | "subject" | "deadline">,
  ) => {
    const typed = buildConsentTypedData(domain, kind, {
      ...message,
      custodian: HOSPITAL_A,
      subject: alice,
      deadline,
    } as ConsentTypedDataMessages[K]);
    return (await signConsentTypedData(patient, typed)).signature;
  };
  const narrower = { ...research, categories: C.DEMOGRAPHICS.bit | C.CONDITIONS.bit };
  const updateNonce = await recordNonce();
  const updateSig = await aliceSigns("Update", {
    ...narrower,
    documentHash: consentDoc(alice, 2),
    nonce: updateNonce,
  });
  await step(
    `Alice narrows her consent to demographics + conditions (EIP-712 signed for record nonce ${updateNonce}, relayed by the hospital's recorder)`,
    as(registry, recorderA).getFunction("updateBySig")(
      HOSPITAL_A,
      alice,
      narrower,
      consentDoc(alice, 2),
      updateNonce,
      deadline,
      updateSig,
    ),
  );

  // What a query for health/medical research (non-commercial) on demographics + conditions
  // may use now, asked of two hospitals' own nodes at the same block.
  const use = P.HMB.bit | P.NCU.bit;
  const categories = C.DEMOGRAPHICS.bit | C.CONDITIONS.bit;
  const at = BigInt(now);
  const snapshot = await provider.getBlockNumber();
  const countConsenting = async (atNode: Contract): Promise<number> => {
    let count = 0;
    for (const s of subjects) {
      const permitted = await atNode.getFunction("isPermitted")(
        HOSPITAL_A,
        s,
        use,
        categories,
        at,
        {
          blockTag: snapshot,
        },
      );
      if (permitted) count += 1;
    }
    return count;
  };
  const consenting = await countConsenting(registry);
  const hospitalCNode = new JsonRpcProvider(urlOf(nodeNamed("hospital-2")), undefined, {
    staticNetwork: true,
  });
  const consentingAtC = await countConsenting(registry.connect(hospitalCNode) as Contract);
  hospitalCNode.destroy();
  say(
    `• at block ${snapshot}, ${consenting} of ${subjects.length} subjects may be used for HMB+NCU on demographics + conditions; Hospital C's own node answers the same: ${consentingAtC} of ${subjects.length}`,
  );
  if (consentingAtC !== consenting) throw new Error("two hospitals' nodes disagree");
  if (!permitsUse(research.purposes, use)) {
    throw new Error("SDK and chain disagree on the purpose rule");
  }

  say(
    "\nA federated research query: each hospital's data stays home, only checked statistics leave",
  );
  const report = await runDemoQuery({
    provider,
    researcher: researcherAcc,
    reviewBoard: reviewBoardAcc,
    accessLedger: genesis.contracts.accessLedger,
    data,
    say,
  });
  if (report.partial) throw new Error("not every hospital contributed to the demo query");
  const firstService = data.services[0];
  if (firstService === undefined) throw new Error("the demo has no data service");
  demoPatient = await showDemoPatient({
    provider,
    recorder: signer(keys.hospitals[0]?.recorder.privateKey as string),
    consentRegistry: genesis.contracts.consentRegistry,
    custodian: firstService.hospitalId,
    hospitalDir: firstService.omopDir,
    nodeUrl: urlOf(nodeNamed(firstService.name)),
    regulatorKey: keys.regulator.privateKey,
    queryId: report.queryId,
    networkDir: network.dir,
    say,
  });

  say("\nRevocation wins");
  const revokeNonce = await recordNonce();
  // A re-grant of her original broad terms that Alice signed too, held by a relayer.
  const heldGrantSig = await aliceSigns("Grant", {
    ...research,
    documentHash: consentDoc(alice, 4),
    nonce: revokeNonce,
  });
  const revokeSig = await aliceSigns("Revoke", {
    documentHash: consentDoc(alice, 3),
    nonce: revokeNonce,
  });
  await step(
    `Alice revokes her consent (signed for record nonce ${revokeNonce}; anyone may relay it — here the regulator's account)`,
    as(registry, regulatorAcc).getFunction("revokeBySig")(
      HOSPITAL_A,
      alice,
      consentDoc(alice, 3),
      revokeNonce,
      deadline,
      revokeSig,
    ),
  );
  const stillPermitted = await registry.getFunction("isPermitted")(
    HOSPITAL_A,
    alice,
    use,
    categories,
    at,
  );
  say(`  isPermitted(Alice) after revocation: ${stillPermitted}`);
  if (stillPermitted) throw new Error("a revoked consent still permits access");
  say(
    `• A relayer tries a re-grant Alice signed before revoking (for record nonce ${revokeNonce})`,
  );
  const refused = await as(registry, regulatorAcc)
    .getFunction("grantBySig")(
      HOSPITAL_A,
      alice,
      research,
      consentDoc(alice, 4),
      revokeNonce,
      deadline,
      heldGrantSig,
    )
    .then(
      () => undefined,
      (error: unknown) => registry.interface.parseError((error as { data?: string }).data ?? "0x"),
    );
  if (refused?.name !== "ConsentRegistryStaleSignature") {
    throw new Error("a signature from before the revocation was not refused as stale");
  }
  say(
    `    refused: ${refused.name}(current nonce ${refused.args[1]}, signed ${refused.args[2]}) — every change of a record makes the signatures before it stale`,
  );
  say(
    `  isPermitted(Alice) still: ${await registry.getFunction("isPermitted")(HOSPITAL_A, alice, use, categories, at)}`,
  );

  say("\nResilience: Hospital D's node is killed (kill -9); the other three finalise blocks");
  const hospitalD = nodeNamed("hospital-3");
  const killed = processes.get(hospitalD.name);
  killed?.child.kill("SIGKILL");
  await killed?.exited;
  const downAt = await provider.getBlockNumber();
  const withoutD = await waitUntil("three more blocks without Hospital D", 60_000, async () => {
    const height = await provider.getBlockNumber();
    return height >= downAt + 3 ? height : undefined;
  });
  const threeOfFour = await sealsOf(provider, withoutD);
  say(
    `• block ${withoutD} finalised by ${threeOfFour.committers.length} of ${threeOfFour.validators.length} signatures (Hospital D's is missing: ${!threeOfFour.committers.includes(hospitalD.address.toLowerCase())})`,
  );
  processes.set(hospitalD.name, await startLocalNode(hospitalD, { logLevel: "warn" }));
  const providerD = new JsonRpcProvider(urlOf(hospitalD), undefined, {
    cacheTimeout: -1,
    staticNetwork: true,
  });
  const caughtUp = await waitUntil("Hospital D to catch up", 60_000, async () => {
    const [theirs, ours] = await Promise.all([
      providerD.getBlockNumber(),
      provider.getBlockNumber(),
    ]);
    return theirs >= ours && theirs > withoutD ? theirs : undefined;
  });
  const signedAgain = await waitUntil("a block signed by Hospital D again", 60_000, async () => {
    const height = await provider.getBlockNumber();
    const seals = await sealsOf(provider, height);
    return seals.committers.includes(hospitalD.address.toLowerCase()) ? height : undefined;
  });
  say(
    `• Hospital D's node restarted, synced the blocks it missed (at block ${caughtUp} with the others) and signs again: block ${signedAgain}`,
  );
  providerD.destroy();

  say("\nGovernance: the hospitals' admin accounts vote a fifth hospital in");
  const validatorE = demoWallet("validator E");
  const newHospital = {
    role: Role.Hospital,
    metadata: canonicalHash({ name: "Hospital E" }),
    accounts: [hospitalE.address],
    recorders: [recorderE.address],
    validator: validatorE.address,
  };
  await step(
    "Hospital A's admin proposes adding Hospital E (admin account, recorder and validator)",
    as(consortium, adminA).getFunction("proposeAddOrganisation")(newHospital),
  );
  await step("Hospital B's admin votes for it", as(consortium, adminB).getFunction("vote")(1n));
  await step(
    "Hospital C's admin votes for it (3 of 4 hospitals: a strict majority)",
    as(consortium, adminC).getFunction("vote")(1n),
  );
  const executed = await step(
    "Anyone executes it after the delay",
    as(consortium, regulatorAcc).getFunction("execute")(1n),
  );
  const executedAt = executed.blockNumber;
  const before = (await consortium.getFunction("validatorsAt")(executedAt + 1)) as string[];
  const after = (await consortium.getFunction("validatorsAt")(executedAt + 2)) as string[];
  say(
    `  validators at block ${executedAt + 1}: ${before.length}, from block ${executedAt + 2}: ${after.length}`,
  );
  if (after.length !== before.length + 1) throw new Error("the validator set did not grow at H+2");
  const ports = await findFreePortRange(2);
  const added = await addLocalHospital(network, {
    validatorKey: validatorE.privateKey,
    rpcPort: ports,
    p2pPort: ports + 1,
    relayerKey: hospitalE.privateKey,
  });
  network = added.network;
  processes.set(added.node.name, await startLocalNode(added.node, { logLevel: "warn" }));
  const signedByE = await waitUntil("a block signed by Hospital E", 90_000, async () => {
    const height = await provider.getBlockNumber();
    const seals = await sealsOf(provider, height);
    return seals.committers.includes(validatorE.address.toLowerCase())
      ? { height, seals }
      : undefined;
  });
  say(
    `• Hospital E's node synced and its validator signs: block ${signedByE.height} carries ${signedByE.seals.committers.length} of ${signedByE.seals.validators.length} commit seals, Hospital E's among them`,
  );

  say("\nDemo complete: every step succeeded.");
  provider.destroy();
}
