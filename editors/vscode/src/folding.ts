// Folding by braces, skipping braces inside strings, expression literals and comments.
// No `vscode` import: the unit tests run this in plain Node.

export interface Fold {
  /** 0-based line of the `{`. */
  start: number;
  /** 0-based line before the one holding the matching `}`, so the `}` stays visible. */
  end: number;
}

/** The blocks that span lines: one fold per `{ … }` pair, and one per multi-line `"""` text. */
export function braceFolds(text: string): Fold[] {
  const folds: Fold[] = [];
  const open: number[] = [];
  const lines = text.split(/\r?\n/);
  let triple: string | undefined; // inside a """ / ''' / ``` block
  let tripleStart = 0;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (triple) {
      if (line.trimStart().startsWith(triple)) {
        if (n - 1 > tripleStart) folds.push({ start: tripleStart, end: n - 1 });
        const rest = line.slice(line.indexOf(triple) + 3);
        triple = undefined;
        scanCode(rest, n);
      }
      continue;
    }
    scanCode(line, n);
  }
  return folds.sort((a, b) => a.start - b.start || b.end - a.end);

  function scanCode(line: string, n: number): void {
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (c === "/" && line[i + 1] === "/") return;
      if ((c === '"' || c === "'" || c === "`") && line.startsWith(c.repeat(3), i) && line.slice(i + 3).trim() === "") {
        triple = c.repeat(3);
        tripleStart = n;
        return;
      }
      if (c === '"' || c === "'" || c === "`") {
        i = skipQuoted(line, i, c);
        continue;
      }
      if (c === "{") open.push(n);
      else if (c === "}") {
        const start = open.pop();
        if (start !== undefined && n - 1 > start) folds.push({ start, end: n - 1 });
      }
    }
  }
}

function skipQuoted(line: string, at: number, quote: string): number {
  for (let i = at + 1; i < line.length; i++) {
    if (line[i] === "\\") i++;
    else if (line[i] === quote) return i;
  }
  return line.length;
}
