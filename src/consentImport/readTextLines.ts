/** A run of consecutive lines of a text. */
export interface TextLines {
  /** Line number of `lines[0]`, from 1. */
  readonly first: number;
  /** The lines without their line break; `null` for a line longer than {@link MAX_LINE_LENGTH}. */
  readonly lines: readonly (string | null)[];
}

/**
 * Longest line kept, in UTF-16 units. A longer one is dropped as it streams past: without a
 * limit, a file with no line breaks the reader recognises would be held in memory whole.
 */
export const MAX_LINE_LENGTH = 1024 * 1024;

function finished(line: string): string | null {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  return text.length > MAX_LINE_LENGTH ? null : text;
}

/**
 * The lines of a UTF-8 text read chunk by chunk, numbered from 1, one run per chunk read: a
 * byte order mark is dropped, lines end at LF or CRLF, and a line over
 * {@link MAX_LINE_LENGTH} comes as `null` so the caller can report it by number.
 *
 * @example
 * ```ts
 * for await (const { first, lines } of readTextLines(createReadStream(file))) { … }
 * ```
 */
export async function* readTextLines(
  source: AsyncIterable<string | Uint8Array>,
): AsyncGenerator<TextLines> {
  const decoder = new TextDecoder("utf-8");
  let next = 1;
  let partial = "";
  let overlong = false;
  let start = true;
  const split = (text: string): (string | null)[] => {
    const parts = text.split("\n");
    const lines: (string | null)[] = [];
    for (let i = 0; i < parts.length - 1; i++) {
      if (i > 0) {
        lines.push(finished(parts[i] as string));
        continue;
      }
      lines.push(overlong ? null : finished(partial + (parts[0] as string)));
      overlong = false;
      partial = "";
    }
    const tail = parts[parts.length - 1] as string;
    if (parts.length > 1) partial = tail;
    else if (!overlong) partial += tail;
    if (partial.length > MAX_LINE_LENGTH) {
      overlong = true;
      partial = "";
    }
    return lines;
  };
  for await (const chunk of source) {
    // The decoder drops a byte order mark itself; text given as strings is checked here.
    let text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    if (start && text.length > 0) {
      if (text.startsWith("\uFEFF")) text = text.slice(1);
      start = false;
    }
    const lines = split(text);
    if (lines.length === 0) continue;
    yield { first: next, lines };
    next += lines.length;
  }
  const rest = split(decoder.decode());
  if (overlong) rest.push(null);
  else if (partial !== "") rest.push(finished(partial));
  if (rest.length > 0) yield { first: next, lines: rest };
}
