/**
 * The URL of module `name` in the same folder as `base` (an `import.meta.url`), with `base`'s
 * own extension: `.ts` when running from the sources, `.js` once built into `dist/`. Worker
 * threads are started from such URLs, which a build's import rewriting does not reach.
 *
 * @example
 * ```ts
 * new Worker(siblingModuleUrl(import.meta.url, "stateWorker"));
 * ```
 */
export function siblingModuleUrl(base: string, name: string): URL {
  const extension = new URL(base).pathname.endsWith(".ts") ? ".ts" : ".js";
  return new URL(`./${name}${extension}`, base);
}
