import { fileURLToPath } from "node:url";
import { CustosError } from "../../src/errors/index.ts";

/** One built front-end file, served as it is. */
export interface UiAsset {
  readonly contentType: string;
  readonly body: Uint8Array;
}

/** The pages the node serves, each one bundle. */
export const uiEntries = ["dashboard", "portal"] as const;
/** A page of the front end. */
export type UiEntry = (typeof uiEntries)[number];

const appDir = fileURLToPath(new URL("./app/", import.meta.url));

/**
 * Bundles the front end from its TypeScript sources with esbuild, in memory: one minified
 * ES module per page, lit, uPlot (its stylesheet as text) and the proof verifier inlined. Nothing is fetched: every input is in the repository or node_modules. Takes a few
 * hundred milliseconds, once per node process.
 *
 * @throws CustosError `INTERNAL` when the sources do not build (a broken checkout).
 * @example
 * ```ts
 * const assets = await buildUiBundles(); // Map { "dashboard.js" => { contentType, body }, … }
 * ```
 */
export async function buildUiBundles(): Promise<ReadonlyMap<string, UiAsset>> {
  const { build } = await import("esbuild");
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build({
      absWorkingDir: appDir,
      entryPoints: uiEntries.map((entry) => ({ in: `${appDir}${entry}.ts`, out: entry })),
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      minify: true,
      legalComments: "none",
      write: false,
      outdir: "/ui",
      logLevel: "silent",
      tsconfig: `${appDir}tsconfig.json`,
      // Stylesheets become strings that components adopt: page CSS does not reach shadow roots.
      loader: { ".css": "text" },
    });
  } catch (cause) {
    throw new CustosError("INTERNAL", "the dashboard front end did not build", {
      details: { operation: "buildUiBundles" },
      cause,
    });
  }
  const assets = new Map<string, UiAsset>();
  for (const file of result.outputFiles ?? []) {
    const name = file.path.slice(file.path.lastIndexOf("/") + 1);
    assets.set(name, { contentType: "application/javascript; charset=utf-8", body: file.contents });
  }
  return assets;
}
