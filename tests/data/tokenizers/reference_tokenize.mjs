// Tokenizes a fixed list of strings with an independent implementation of the Hugging Face
// tokenizer.json format, tokenizers.js (npm @huggingface/tokenizers), and writes the ids and the
// decoded text as reference_ids.json beside this script. Run once, from the repository root:
//
//   mkdir -p /tmp/tokref && (cd /tmp/tokref && npm install @huggingface/tokenizers@0.2.0)
//   TOKENIZERS_JS=/tmp/tokref node tests/data/tokenizers/reference_tokenize.mjs
//
// The output is committed; tests/tokenizer/test_reference_ids.cpp compares ssmscope's ids with it,
// so neither the tests nor CI need node.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(process.env.TOKENIZERS_JS ?? "/tmp/tokref", "index.js"));
const { Tokenizer } = require("@huggingface/tokenizers");
const root = dirname(dirname(require.resolve("@huggingface/tokenizers")));
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;

// Plain words, spaces where they are hard (leading, doubled, trailing, alone), digits, newlines
// and tabs, characters outside the vocabularies (byte fallback: 2-, 3- and 4-byte UTF-8),
// combining marks, and the special tokens written in the text.
const texts = [
  "hello",
  "Hello world",
  "def join(self, items):\n    return ', '.join(items)\n",
  " leading space",
  "two  spaces and trailing ",
  "   ",
  " ",
  "digits 1234567890 and 3.14159",
  "line one\nline two\n\nline four\r\n",
  "\ttab\tseparated\t",
  "caf\u00e9 na\u00efve \u00fcber",
  "cafe\u0301",
  "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8",
  "emoji \u{1F642} and \u{1F680}!",
  "\u20ac 5 \u2192 \u00a3 4",
  "<s>after a start token",
  "text</s>",
  "a<|endoftext|>b",
  "hello!!! ?",
  "don't stop",
  "abc aaa 123",
  "x",
];

const files = [
  "spm_legacy.json", "spm_metaspace.json", "spm_metaspace_always.json", "neox_small.json",
];
const out = { generator: `@huggingface/tokenizers ${version}`, tokenizers: {} };
for (const file of files) {
  const json = JSON.parse(readFileSync(join(here, file), "utf8"));
  const tokenizer = new Tokenizer(json, { clean_up_tokenization_spaces: false });
  out.tokenizers[file] = texts.map((text) => {
    const ids = tokenizer.encode(text).ids;
    return { text, ids, decoded: ids.length > 0 ? tokenizer.decode(ids) : "" };
  });
}
writeFileSync(join(here, "reference_ids.json"), JSON.stringify(out, null, 1) + "\n");
