/**
 * The package's public surface: the runtime export names of every entry point in
 * package.json "exports", read from the source module each one is built from. A name that
 * appears or disappears changes what users can import, so it has to show up here as a
 * snapshot change (after viem's src/index.test.ts). Types are erased at runtime and not
 * covered; tsc checks the declarations.
 */
import { describe, expect, it } from "vitest";
import packageJson from "../../package.json" with { type: "json" };

/** `./dist/src/consent/index.js` → `../../src/consent/index.ts`, the module it is built from. */
function sourceOf(built: string): string {
  const match = /^\.\/dist\/(src\/.+)\.js$/.exec(built);
  if (match === null) throw new Error(`export target outside dist/src: ${built}`);
  return `../../${match[1]}.ts`;
}

async function surface(): Promise<Record<string, string[]>> {
  const entries = Object.entries(packageJson.exports).sort(([a], [b]) => a.localeCompare(b));
  const names: Record<string, string[]> = {};
  for (const [entry, target] of entries) {
    const module: Record<string, unknown> = await import(sourceOf(target.import));
    names[entry] = Object.keys(module).sort();
  }
  return names;
}

describe("the public surface", () => {
  it("maps every package entry to a source module", () => {
    for (const target of Object.values(packageJson.exports)) {
      expect(target.types).toBe(target.import.replace(/\.js$/, ".d.ts"));
      expect(sourceOf(target.import)).toMatch(/^\.\.\/\.\.\/src\/(.+\/)?index\.ts$/);
    }
  });

  it("exports exactly these runtime names per entry point", async () => {
    expect(await surface()).toMatchInlineSnapshot(`
      {
        ".": [
          "CustosError",
          "errorCodes",
          "isCustosError",
          "isErrorCode",
        ],
        "./anonymise": [
          "SAFE_HARBOR_ZIP3_MIN_POPULATION",
          "anonymise",
          "cellValue",
          "checkPrivacyModel",
          "computeRiskReport",
          "createHierarchy",
          "createZip3PopulationTable",
          "dateHierarchy",
          "defaultAnonymiseConfig",
          "defaultCsvOptions",
          "defaultMaskingHierarchyOptions",
          "defaultSafeHarborModels",
          "documentFiles",
          "estimateKMapThreshold",
          "formatCsv",
          "intervalHierarchy",
          "maskingHierarchy",
          "parseCsv",
          "parseCsvRows",
          "parseHierarchy",
          "researchExtractDefaults",
          "researchExtractProfile",
          "resolveAnonymiseDocument",
          "safeHarborIdentifierClasses",
          "safeHarborProfile",
          "sampleZip3PopulationTable",
          "validateAnonymiseDocument",
        ],
        "./canonical": [
          "canonicalHash",
          "canonicalJson",
        ],
        "./consent": [
          "ALL_CATEGORIES_MASK",
          "CONDITION_MASK",
          "MAX_CONSENT_TIME",
          "PERMISSION_MASK",
          "consentFromFhir",
          "consentStatuses",
          "consentToFhir",
          "coveringPurposesOf",
          "coversCategories",
          "dataCategories",
          "decodeCategories",
          "decodePurposes",
          "encodeCategories",
          "encodePurposes",
          "fhirSystems",
          "omopTableCategory",
          "permitsUse",
          "purposeCodes",
          "resourceTypeCategories",
          "toConsentWords",
          "unmetConditionsOf",
          "v3PurposeToDuo",
          "validateConsentRecord",
        ],
        "./consent-import": [
          "LandedLines",
          "consentImportFormat",
          "defaultRunConsentImportOptions",
          "parseConsentTerms",
          "planConsentImport",
          "readConsentImportRows",
        ],
        "./consent-index": [
          "COHORT_LEAF_SIZE",
          "MAX_COHORT_WORKERS",
          "PACKED_CONSENT_BYTES",
          "buildCohortTree",
          "consentEventToChange",
          "createConsentIndex",
          "createConsentIndexSync",
          "createInThreadCohortExecutor",
          "createLevelConsentIndexStore",
          "createMemoryConsentIndexStore",
          "createRegistryEventSource",
          "createWorkerCohortExecutor",
          "defaultConsentIndexOptions",
          "defaultConsentIndexSyncOptions",
          "defaultWorkerCohortExecutorOptions",
          "denyReasons",
          "packConsentState",
          "proveInclusion",
          "registryConsentReader",
          "runCohortTask",
          "sha256",
          "throwIfCohortAborted",
          "unpackConsentState",
          "verifyInclusion",
        ],
        "./contracts": [
          "accessLedgerAbi",
          "accessLedgerBytecode",
          "consentRegistryAbi",
          "consentRegistryBytecode",
          "consortiumAbi",
          "consortiumBytecode",
        ],
        "./disclosure": [
          "assertCountTable",
          "assertReleased",
          "auditSuppression",
          "cellStatus",
          "checkDifferencing",
          "cohortFromBitset",
          "coordinatesOf",
          "createCountTable",
          "createCryptoRandomSource",
          "createInMemoryDifferencingStore",
          "createInMemoryPrivacyBudgetStore",
          "defaultDisclosurePolicy",
          "defaultInMemoryPrivacyBudgetStoreOptions",
          "disclosureRuleVersions",
          "hypercubeCorners",
          "hypercubeWidth",
          "microEpsilonPerEpsilon",
          "privacyCost",
          "rational",
          "releaseTable",
          "resolveDisclosurePolicy",
          "roundCount",
          "suppressComplementary",
          "suppressPrimary",
          "symmetricDifferenceSize",
          "toCohort",
          "zcdpToEpsilonMicro",
        ],
        "./errors": [
          "CustosError",
          "errorCodes",
          "isCustosError",
          "isErrorCode",
          "renderErrorDocs",
        ],
        "./ledger": [
          "DEFAULT_EVENT_PAGE_SIZE",
          "DEFAULT_ID_PAGE_SIZE",
          "TRANSACTION_GAS_CAP",
          "allLedgerContracts",
          "buildConsentTypedData",
          "consentTypedDataDomain",
          "consentTypedDataTypes",
          "consortiumCapacities",
          "consortiumRoles",
          "contractErrorCodes",
          "createAccessLedgerClient",
          "createConsentRegistryClient",
          "createConsortiumClient",
          "decodeContractError",
          "defaultBatchOptions",
          "findRevertData",
          "ledgerContracts",
          "proposalKinds",
          "proposalStates",
          "resultDigest",
          "signConsentTypedData",
        ],
        "./pseudonym": [
          "DATE_SHIFT_KEY_INFO",
          "MASTER_KEY_MIN_BYTES",
          "PROJECT_KEY_SALT",
          "assertIdentifierKind",
          "canonicaliseIdentifier",
          "createDateShifter",
          "createMasterKey",
          "createPseudonymiser",
          "defaultDateShifterOptions",
          "defaultMasterKeyOptions",
          "defaultPseudonymiserOptions",
          "deriveProjectKey",
          "identifierKinds",
          "projectKeyInfo",
        ],
      }
    `);
  });
});
