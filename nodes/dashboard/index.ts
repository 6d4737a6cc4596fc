export { buildUiBundles, type UiAsset, type UiEntry, uiEntries } from "./buildUiBundles.ts";
export { loadUiBundles, PREBUILT_UI_DIR } from "./loadUiBundles.ts";
export { registerDashboard } from "./registerDashboard.ts";
