import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { buildUiBundles, type UiAsset } from "./buildUiBundles.ts";

/** Where `npm run build` puts the bundles, next to the compiled module. */
export const PREBUILT_UI_DIR = fileURLToPath(new URL("./assets/", import.meta.url));

/**
 * The front-end bundles: those `npm run build` wrote beside the compiled node (an installed
 * package ships them, and neither esbuild nor the sources), or else built from the
 * repository's sources now.
 *
 * @example
 * ```ts
 * const assets = await loadUiBundles(); // Map { "dashboard.js" => { contentType, body }, … }
 * ```
 */
export async function loadUiBundles(): Promise<ReadonlyMap<string, UiAsset>> {
  let names: string[];
  try {
    names = (await readdir(PREBUILT_UI_DIR)).filter((name) => name.endsWith(".js"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    return buildUiBundles();
  }
  const assets = new Map<string, UiAsset>();
  for (const name of names) {
    assets.set(name, {
      contentType: "application/javascript; charset=utf-8",
      body: await readFile(`${PREBUILT_UI_DIR}${name}`),
    });
  }
  return assets;
}
