// An integrator's script, run from a project that installed the packed tarball: it reaches the
// SDK only through the package's public entries, as compiled JavaScript under node_modules.
// Argument: the master key (hex). Prints the outcomes as one JSON line.
import { CustosError } from "custos";
import { dataCategories, purposeCodes } from "custos/consent";
import {
  createConsentIndex,
  createWorkerCohortExecutor,
  proveInclusion,
  verifyInclusion,
} from "custos/consent-index";
import { isCustosError } from "custos/errors";
import { createMasterKey, createPseudonymiser, deriveProjectKey } from "custos/pseudonym";

const key = deriveProjectKey(createMasterKey(process.argv[2] ?? ""), { projectId: "trial-7" });
const pseudonymiser = createPseudonymiser({ key, kind: "person_id" });
const subject = pseudonymiser.pseudonymise("000042");
const stranger = pseudonymiser.pseudonymise("43");

const now = 1_800_000_000;
// One worker and tiny tasks, so that the cohort really runs in a worker thread started from
// the installed dist/ files.
const cohortExecutor = createWorkerCohortExecutor({ workers: 1, minEntriesPerTask: 1 });
const index = createConsentIndex({ now: () => now, cohortExecutor });
const request = { subject, use: purposeCodes.HMB.bit, categories: dataCategories.DRUGS.bit };

const beforeSync = index.checkAccess(request);
index.apply({
  subject,
  version: 1,
  status: "active",
  purposes: purposeCodes.GRU.bit,
  categories: dataCategories.DRUGS.bit | dataCategories.CONDITIONS.bit,
  validFrom: now - 3600,
  validUntil: 0,
  custodian: 1,
  blockNumber: 7,
  logIndex: 0,
});
index.markSynced(7, now);

const allowed = index.checkAccess(request);
index.assertAccess(request);
let denied = null;
try {
  index.assertAccess({ ...request, categories: dataCategories.GENOMICS.bit });
} catch (error) {
  denied = {
    code: error.code,
    reason: error.details.reason,
    isCustosError: isCustosError(error, "CONSENT_DENIED"),
    instanceOfRootEntry: error instanceof CustosError,
  };
}
const unknown = index.checkAccess({ ...request, subject: stranger });
const cohort = await index.filterCohortAsync([stranger, subject], {
  use: request.use,
  categories: request.categories,
});
await cohortExecutor.close();

console.log(
  JSON.stringify({
    subject,
    beforeSync,
    allowed,
    denied,
    unknown,
    cohort: {
      allowedIndices: [...cohort.allowedIndices],
      proven: verifyInclusion(cohort.snapshot.root, subject, proveInclusion([subject], subject)),
    },
  }),
);
