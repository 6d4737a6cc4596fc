import type { CliOption, CliOptions } from "./parseCommandLine.ts";

/** Columns the help is wrapped to. */
const WIDTH = 92;

/** The flag column is at most this wide; a longer flag pushes its description along. */
const FLAG_COLUMN = 36;

/** One usage line: `custos <words> <parts…>`. */
export interface HelpUsage {
  /** The command's words, e.g. `consent import`. */
  readonly words: string;
  /** What follows them: positionals, then flags (`--terms <json|@file>`, `[--resume]`). */
  readonly parts: readonly string[];
}

/** A paragraph of the help, with a label hanging to its left (a sub-command's name). */
export interface HelpParagraph {
  readonly label?: string;
  /** The text, unwrapped; blank lines separate paragraphs. */
  readonly text: string;
}

/** What {@link commandHelp} lays out. */
export interface HelpContent {
  readonly usage: readonly HelpUsage[];
  readonly paragraphs: readonly HelpParagraph[];
  readonly options: CliOptions;
}

/** `words` filled into lines of at most {@link WIDTH} columns, after `first`, then `indent`. */
function fill(words: readonly string[], first: string, indent: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of words) {
    if (!empty && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = indent + word;
    } else {
      line = empty ? line + word : `${line} ${word}`;
    }
    empty = false;
  }
  lines.push(line);
  return lines.map((text) => text.trimEnd());
}

function wrapped(text: string, first: string, indent: string): string[] {
  return text
    .split(/\n\s*\n/)
    .flatMap((paragraph, i) =>
      fill(paragraph.split(/\s+/).filter(Boolean), i === 0 ? first : indent, indent).concat(""),
    )
    .slice(0, -1);
}

/** The placeholder of an option's value: its own, else one by type. */
function placeholderOf(option: CliOption): string {
  if (option.value !== undefined) return option.value;
  if (option.type === "boolean") return "";
  return option.type === "integer" ? "N" : option.type === "list" ? "<list>" : "<value>";
}

/** `--name <value>`, as the option is written. */
export function flagText(name: string, option: CliOption): string {
  const value = placeholderOf(option);
  return value === "" ? `--${name}` : `--${name} ${value}`;
}

function described(option: CliOption): string {
  const value = option.default;
  if (value === undefined) return option.description;
  return `${option.description} (default ${typeof value === "string" ? JSON.stringify(value) : value})`;
}

/**
 * The text of a command's `--help`: its usage lines, its paragraphs wrapped to 92 columns,
 * and its options by group (ungrouped ones under "Options", with `-h, --help`).
 *
 * @example
 * ```ts
 * io.stdout(commandHelp({ usage: [{ words: "genesis", parts: ["--out <file>"] }], paragraphs, options }));
 * ```
 */
export function commandHelp(content: HelpContent): string {
  const lines = content.usage.flatMap((usage, i) => {
    const first = `${i === 0 ? "Usage: " : "       "}custos ${usage.words} `;
    return fill(usage.parts, first, " ".repeat(first.length));
  });
  const labelWidth = Math.max(
    0,
    ...content.paragraphs.map(({ label }) => (label === undefined ? 0 : label.length + 2)),
  );
  for (const { label, text } of content.paragraphs) {
    const indent = label === undefined ? "" : " ".repeat(labelWidth);
    lines.push("", ...wrapped(text, label?.padEnd(labelWidth) ?? "", indent));
  }
  const groups = new Map<string, [string, string][]>([["Options", []]]);
  for (const [name, option] of Object.entries(content.options)) {
    const group = option.group ?? "Options";
    groups.set(group, [...(groups.get(group) ?? []), [flagText(name, option), described(option)]]);
  }
  groups.get("Options")?.push(["-h, --help", "show this help"]);
  const all = [...groups.values()].flat();
  const column = Math.min(FLAG_COLUMN, Math.max(...all.map(([flag]) => flag.length)));
  for (const [heading, entries] of groups) {
    lines.push("", `${heading}:`);
    for (const [flag, description] of entries) {
      const first = `  ${flag.padEnd(column)}  `;
      lines.push(...wrapped(description, first, " ".repeat(column + 4)));
    }
  }
  return `${lines.join("\n")}\n`;
}
