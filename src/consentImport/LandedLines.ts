import { CustosError } from "../errors/index.ts";

function malformed(): CustosError {
  return new CustosError("CONSENT_IMPORT_INVALID", "the checkpoint is malformed", {
    details: { field: "checkpoint" },
  });
}

function isLine(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 1;
}

/** First index in the ascending `values` whose value is at least `target`. */
function firstAtLeast(values: readonly number[], target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((values[middle] as number) < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The lines of an import file whose rows have landed on chain, kept as ranges of
 * consecutive lines (a clean 10 M-row import is one range), and their checkpoint: the text
 * of `<file>.progress.json`, `{"format":2,"landedRanges":[[2,40001],[40003,80000]],
 * "sentAfterBlock":1207}` (inclusive line ranges; `sentAfterBlock` is optional, see
 * {@link LandedLines.sentAfterBlock}). Checkpoints of format 1,
 * `{"format":1,"landedLines":[2,4,7]}`, are read too.
 *
 * @example
 * ```ts
 * const landed = LandedLines.fromCheckpoint(await readFile(checkpointPath, "utf8"));
 * landed.add(8);
 * await writeFile(checkpointPath, landed.toCheckpoint());
 * ```
 */
export class LandedLines {
  // Ascending, disjoint and never adjacent (touching ranges are merged).
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];
  #count = 0;

  /**
   * A block that was the chain's head before any row missing from the ranges was sent: such
   * a row, if it landed (its receipt unseen when the node or the importer was killed), is in
   * a later block, so a resumed run finds it among the events after this block instead of
   * sending it again. Undefined when unknown (an older checkpoint, or nothing sent yet).
   */
  sentAfterBlock: number | undefined = undefined;

  /**
   * The landed lines of a checkpoint's text.
   *
   * @throws CustosError `CONSENT_IMPORT_INVALID` with `details.field` `"checkpoint"` when the
   *   text is not a checkpoint of format 1 or 2.
   */
  static fromCheckpoint(text: string): LandedLines {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw malformed();
    }
    const checkpoint = (typeof value === "object" && value !== null ? value : {}) as Record<
      string,
      unknown
    >;
    const landed = new LandedLines();
    if (checkpoint.format === 1 && Array.isArray(checkpoint.landedLines)) {
      for (const line of checkpoint.landedLines) {
        if (!isLine(line)) throw malformed();
        landed.#addRange(line, line);
      }
      return landed;
    }
    if (checkpoint.format !== 2 || !Array.isArray(checkpoint.landedRanges)) throw malformed();
    const sentAfterBlock = checkpoint.sentAfterBlock;
    if (sentAfterBlock !== undefined) {
      if (!Number.isSafeInteger(sentAfterBlock) || (sentAfterBlock as number) < 0) {
        throw malformed();
      }
      landed.sentAfterBlock = sentAfterBlock as number;
    }
    for (const range of checkpoint.landedRanges) {
      const [from, to] = Array.isArray(range) && range.length === 2 ? range : [];
      if (!isLine(from) || !isLine(to) || from > to) throw malformed();
      landed.#addRange(from, to);
    }
    return landed;
  }

  /** How many lines have landed. */
  get count(): number {
    return this.#count;
  }

  /** Whether the row on `line` has landed. */
  has(line: number): boolean {
    const at = firstAtLeast(this.#ends, line);
    return at < this.#starts.length && (this.#starts[at] as number) <= line;
  }

  /** Records that the row on `line` has landed. */
  add(line: number): void {
    this.#addRange(line, line);
  }

  /** The checkpoint's text (format 2), ending with a line break. */
  toCheckpoint(): string {
    const landedRanges = this.#starts.map((start, i) => [start, this.#ends[i] as number]);
    const sent = this.sentAfterBlock === undefined ? {} : { sentAfterBlock: this.sentAfterBlock };
    return `${JSON.stringify({ format: 2, landedRanges, ...sent })}\n`;
  }

  #addRange(from: number, to: number): void {
    // The ranges from `low` to `high - 1` overlap or touch [from, to] and merge with it.
    const low = firstAtLeast(this.#ends, from - 1);
    const high = firstAtLeast(this.#starts, to + 2);
    let start = from;
    let end = to;
    for (let i = low; i < high; i++) {
      start = Math.min(start, this.#starts[i] as number);
      end = Math.max(end, this.#ends[i] as number);
      this.#count -= (this.#ends[i] as number) - (this.#starts[i] as number) + 1;
    }
    this.#starts.splice(low, high - low, start);
    this.#ends.splice(low, high - low, end);
    this.#count += end - start + 1;
  }
}
