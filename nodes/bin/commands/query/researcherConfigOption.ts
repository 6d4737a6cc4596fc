import type { CliOption } from "../../parseCommandLine.ts";

/** `--config <file.json>`: the researcher's (or review board's) configuration file. */
export const researcherConfigOption = {
  type: "string",
  value: "<file.json>",
  required: true,
  description:
    "the researcher's (or review board's) JSON configuration: rpcUrl, keyFile, contracts, hospitals (docs/researcher.md)",
} as const satisfies CliOption;
