import { generateOmopHospital, type OmopGeneratorOptions } from "../../src/omop/index.ts";

/** A generated hospital held in memory: each file's whole text, and the summary. */
export function collectOmopHospital(options: OmopGeneratorOptions, hospital: number) {
  const files = new Map<string, string>();
  const chunks = generateOmopHospital(options, hospital);
  let step = chunks.next();
  for (; !step.done; step = chunks.next()) {
    files.set(step.value.file, (files.get(step.value.file) ?? "") + step.value.text);
  }
  return { files, summary: step.value };
}

/** The rows of a CSV without quoted fields (the clinical tables), as header-keyed records. */
export function csvRows(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trimEnd().split("\n");
  const names = (header as string).split(",");
  return lines.map((line) => {
    const fields = line.split(",");
    return Object.fromEntries(names.map((name, i) => [name, fields[i] as string]));
  });
}
