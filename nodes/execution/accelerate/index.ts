export { acceleratedBytecode } from "./acceleratedBytecode.ts";
export { acceleratedContext, acceleratorOf } from "./acceleratedContext.ts";
export {
  type AcceleratorFallback,
  type AcceleratorStats,
  type ConsentRegistryAccelerator,
  type ConsentRegistryAcceleratorOptions,
  createConsentRegistryAccelerator,
} from "./createConsentRegistryAccelerator.ts";
export {
  decodeRegistryCall,
  type RegistryCall,
  type RegistryTerms,
} from "./decodeRegistryCall.ts";
export { matchRegistryCode } from "./matchRegistryCode.ts";
export { registryGas } from "./registryGas.ts";
export { createRegistrySlots, type RegistrySlots } from "./registrySlots.ts";
