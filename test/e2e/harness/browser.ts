import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import chromium from "@sparticuz/chromium";
import { type Browser, type Page, chromium as playwright } from "playwright-core";

/** Where browser tests keep their screenshots (git-ignored; CI may collect it). */
export const SCREENSHOT_DIR = join(
  import.meta.dirname,
  "..",
  "..",
  "..",
  "test-artifacts",
  "screenshots",
);

/**
 * Starts a headless Chromium: the binary the npm package `@sparticuz/chromium` ships
 * (unpacked into the temp directory on first use), driven by `playwright-core`. Nothing is
 * downloaded, so a fresh `npm install` is all a machine needs.
 */
export async function launchBrowser(): Promise<Browser> {
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    // The package's flags are tuned for AWS Lambda; `--single-process` there makes closing one
    // browser context take the whole browser down, so tests use the normal process model.
    args: chromium.args.filter((arg) => arg !== "--single-process"),
    headless: true,
  });
}

/** Saves a full-page screenshot as `test-artifacts/screenshots/<name>.png`. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
