// The TextMate grammar, tokenized by the same engine VS Code uses (vscode-textmate + oniguruma).
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";

import { extensionRoot, repoRoot } from "../support/paths";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const oniguruma = require("vscode-oniguruma");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const vsctm = require("vscode-textmate");

interface Token {
  text: string;
  scopes: string[];
}
let grammar: any;

async function loadGrammar(): Promise<any> {
  const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const file = join(extensionRoot, "syntaxes", "xanoscript.tmLanguage.json");
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope: string) =>
      scope === "source.xanoscript" ? vsctm.parseRawGrammar(readFileSync(file, "utf8"), file) : null,
  });
  return registry.loadGrammar("source.xanoscript");
}

function tokenize(text: string): Token[][] {
  let stack = vsctm.INITIAL;
  return text.split("\n").map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return r.tokens.map((t: any) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

/** The scopes of the token that starts `needle` on line `line` (the n-th occurrence). */
function scopesOf(lines: Token[][], line: number, needle: string, nth = 0): string[] {
  let col = -1;
  const text = lines[line].map((t) => t.text).join("");
  for (let i = 0; i <= nth; i++) col = text.indexOf(needle, col + 1);
  assert.ok(col >= 0, `"${needle}" not on line ${line}: ${text}`);
  let at = 0;
  for (const t of lines[line]) {
    if (col < at + t.text.length) return t.scopes;
    at += t.text.length;
  }
  throw new Error("unreachable");
}

function expectScope(lines: Token[][], line: number, needle: string, scope: string, nth = 0): void {
  const scopes = scopesOf(lines, line, needle, nth);
  assert.ok(
    scopes.some((s) => s === scope || s.startsWith(scope + ".")),
    `line ${line} "${needle}": expected ${scope}, got ${scopes.join(" ")}`,
  );
}

const SAMPLE = [
  "// Lists orders", // 0
  'query "orders/{id}" verb=GET {', // 1
  '  api_group = "shop"', // 2
  "  input {", // 3
  "    text[] ?tags? filters=trim|lower", // 4
  "    text code filters=pattern:/^[a-z]+$/i", // 5
  "  }", // 6
  "  stack {", // 7
  "    db.get user {", // 8
  "      field_value = $input.id", // 9
  "    } as $user", // 10
  "    if ($user.role == 'admin') {", // 11
  "      !db.del order {", // 12
  '        where = $db.order.status not in ["void"]', // 13
  "      }", // 14
  "    }", // 15
  '    var $s { value = $x|trim|get:"a\\"b":null }', // 16
  "    var $sql {", // 17
  '      value = """', // 18
  '        select "id" from t // not a comment', // 19
  '        """|trim', // 20
  "    }", // 21
  "    var $n { value = !int \"5\" + 42.5 }", // 22
  "    var $e { value = `$input|pick:($raw|keys)`|filter_null }", // 23
  "    var $o { value = {name: $$.name, ok: true, none: null, at: now} }", // 24
  "    function.run utils/slugify {", // 25
  "      input = {a: 'it\\'s'}", // 26
  "    } as $slug", // 27
  "  }", // 28
  "  response = $auth.id", // 29
  "}", // 30
  "api_group shop {", // 31
  "  schedule = [{starts_on: 2026-01-05 06:30:00+0000, freq: 86400}]", // 32
  "}", // 33
].join("\n");

describe("TextMate grammar (syntaxes/xanoscript.tmLanguage.json)", () => {
  let lines: Token[][];
  before(async () => {
    grammar = await loadGrammar();
    lines = tokenize(SAMPLE);
  });

  test("comments", () => {
    expectScope(lines, 0, "// Lists", "comment.line.double-slash.xanoscript");
  });

  test("object kinds, names and verbs", () => {
    expectScope(lines, 1, "query", "keyword.other.object");
    expectScope(lines, 1, '"orders/{id}"', "entity.name.type");
    expectScope(lines, 1, "GET", "constant.language.verb");
    expectScope(lines, 31, "api_group", "keyword.other.object");
    expectScope(lines, 31, "shop", "entity.name.type");
    expectScope(lines, 2, "api_group", "variable.other.property");
  });

  test("clauses, field declarations and input filters", () => {
    expectScope(lines, 3, "input", "keyword.other.clause");
    expectScope(lines, 4, "text", "storage.type");
    expectScope(lines, 4, "[]", "storage.modifier.array");
    expectScope(lines, 4, "tags", "variable.other.field");
    expectScope(lines, 4, "filters", "keyword.other.filters");
    expectScope(lines, 4, "trim", "support.function.filter");
    expectScope(lines, 4, "lower", "support.function.filter");
    expectScope(lines, 5, "/^[a-z]+$/i", "string.regexp");
  });

  test("statements and control flow", () => {
    expectScope(lines, 8, "db.get", "support.function.statement");
    expectScope(lines, 8, "user", "entity.name.type");
    expectScope(lines, 10, "as", "keyword.control");
    expectScope(lines, 11, "if", "keyword.control");
    expectScope(lines, 12, "!", "comment.disabled");
    expectScope(lines, 12, "db.del", "support.function.statement");
    expectScope(lines, 16, "var", "support.function.statement");
    expectScope(lines, 25, "function.run", "support.function.statement");
    expectScope(lines, 25, "utils/slugify", "entity.name.type");
  });

  test("variables, members, operators", () => {
    expectScope(lines, 9, "field_value", "variable.other.property");
    expectScope(lines, 9, "$input", "variable.language");
    expectScope(lines, 9, "id", "variable.other.property");
    expectScope(lines, 10, "$user", "variable.other");
    expectScope(lines, 11, "role", "variable.other.property");
    expectScope(lines, 11, "==", "keyword.operator");
    expectScope(lines, 13, "not in", "keyword.operator.word");
    expectScope(lines, 24, "$$", "variable.language");
    expectScope(lines, 29, "$auth", "variable.language");
  });

  test("strings, escapes, triple-quoted text and expression literals", () => {
    expectScope(lines, 11, "'admin'", "string.quoted.single");
    expectScope(lines, 16, '"a', "string.quoted.double");
    expectScope(lines, 16, '\\"', "constant.character.escape");
    expectScope(lines, 26, "\\'", "constant.character.escape");
    expectScope(lines, 19, "select", "string.quoted.triple");
    expectScope(lines, 19, "// not", "string.quoted.triple");
    expectScope(lines, 20, "trim", "support.function.filter");
    expectScope(lines, 23, "`", "string.interpolated");
    expectScope(lines, 23, "pick", "support.function.filter");
    expectScope(lines, 23, "filter_null", "support.function.filter");
  });

  test("filters, literals and casts", () => {
    expectScope(lines, 16, "trim", "support.function.filter");
    expectScope(lines, 16, "get", "support.function.filter");
    expectScope(lines, 16, "null", "constant.language.null");
    expectScope(lines, 22, "int", "storage.type.cast");
    expectScope(lines, 22, "42.5", "constant.numeric");
    expectScope(lines, 24, "name", "variable.other.property");
    expectScope(lines, 24, "true", "constant.language.boolean");
    expectScope(lines, 24, "now", "constant.language.now");
    expectScope(lines, 32, "2026-01-05 06:30:00+0000", "constant.numeric.timestamp");
    expectScope(lines, 32, "86400", "constant.numeric");
  });

  /** The last line of a file must not be inside a string, comment or expression literal. */
  function endsOutsideStrings(file: string): boolean {
    const tokens = tokenize(readFileSync(file, "utf8").replace(/\r\n/g, "\n").trimEnd());
    return !tokens[tokens.length - 1].some((t) => t.scopes.some((s) => /^(string|comment|meta\.embedded)/.test(s)));
  }

  function xsFiles(dir: string): string[] {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".xs")) files.push(p);
      }
    };
    walk(dir);
    return files.sort();
  }

  test("no string or block runs away: every sample file ends outside any string", () => {
    const files = [
      ...xsFiles(join(repoRoot, "tree-sitter-xanoscript", "test", "samples")),
      ...xsFiles(join(repoRoot, "examples")),
    ];
    assert.ok(files.length >= 5, `only ${files.length} sample files`);
    assert.deepEqual(files.filter((f) => !endsOutsideStrings(f)), []);
  });

  // The shared corpus of real XanoScript beside the checkout (as the grammar's cargo tests use it).
  const corpus = process.env.XSGUARD_CORPUS ?? join(repoRoot, "..", "shared", "corpus");
  test("the same holds for every file of the shared corpus", { skip: !existsSync(corpus) && "no corpus" }, () => {
    // Files that are not XanoScript at all are listed with the reason beside the grammar.
    const known = readFileSync(join(repoRoot, "tree-sitter-xanoscript", "KNOWN_INVALID.md"), "utf8")
      .split("\n")
      .flatMap((line) => /^\| `([^`]+)`/.exec(line)?.[1] ?? []);
    const files = xsFiles(corpus).filter((f) => !known.includes(f.slice(corpus.length + 1).split("\\").join("/")));
    assert.ok(files.length > 100, `${files.length} files`);
    const runaway = files.filter((f) => !endsOutsideStrings(f));
    assert.deepEqual(runaway.slice(0, 10), [], `${runaway.length} of ${files.length} files end inside a string`);
  });
});
