export {
  assertIdentifierKind,
  canonicaliseIdentifier,
  type IdentifierKind,
  type IdentifierProblem,
  identifierKinds,
} from "./canonicaliseIdentifier.ts";
export {
  createDateShifter,
  DATE_SHIFT_KEY_INFO,
  type DateShifter,
  type DateShifterOptions,
  defaultDateShifterOptions,
} from "./createDateShifter.ts";
export {
  createMasterKey,
  defaultMasterKeyOptions,
  MASTER_KEY_MIN_BYTES,
  type MasterKey,
  type MasterKeyOptions,
} from "./createMasterKey.ts";
export {
  createPseudonymiser,
  defaultPseudonymiserOptions,
  type Pseudonym,
  type Pseudonymiser,
  type PseudonymiserOptions,
} from "./createPseudonymiser.ts";
export {
  deriveProjectKey,
  PROJECT_KEY_SALT,
  type ProjectKey,
  projectKeyInfo,
} from "./deriveProjectKey.ts";
