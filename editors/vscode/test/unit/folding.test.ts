import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { braceFolds } from "../../src/folding";

describe("folding by braces", () => {
  test("nested blocks fold, one-line blocks do not", () => {
    const text = [
      'query "orders" verb=GET {', // 0
      "  input {", // 1
      "    int id", // 2
      "  }", // 3
      "  stack {", // 4
      "    var $a { value = 1 }", // 5
      "    db.get order {", // 6
      '      field_name = "id"', // 7
      "    } as $o", // 8
      "  }", // 9
      "}", // 10
    ].join("\n");
    assert.deepEqual(braceFolds(text), [
      { start: 0, end: 9 },
      { start: 1, end: 2 },
      { start: 4, end: 8 },
      { start: 6, end: 7 },
    ]);
  });

  test("braces in strings, comments and triple-quoted text do not count; the text block folds", () => {
    const text = [
      "function f {", // 0
      '  // not a block {', // 1
      '  description = "a { b"', // 2
      "  x = 'c }'", // 3
      '  docs = """', // 4
      "    { inside", // 5
      "    more }", // 6
      '    """|trim', // 7
      "  y = `$a|get:\"}\"`", // 8
      "}", // 9
    ].join("\r\n");
    assert.deepEqual(braceFolds(text), [
      { start: 0, end: 8 },
      { start: 4, end: 6 },
    ]);
  });

  test("unbalanced text does not throw", () => {
    assert.deepEqual(braceFolds("}\n{\n\n"), []);
    assert.deepEqual(braceFolds('x = """\nnever closed {\n'), []);
  });
});
