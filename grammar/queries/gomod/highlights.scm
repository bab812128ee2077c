; go.mod highlights. Capture names follow nvim-treesitter's conventions, which Helix and Zed map too.

[
  "module"
  "go"
  "toolchain"
  "godebug"
  "require"
  "exclude"
  "replace"
  "retract"
  "tool"
  "ignore"
] @keyword

(module_path) @module

(version) @number

(go_version) @number

(toolchain_name) @constant

(file_path) @string.special.path

(godebug_key) @property

(godebug_value) @constant

(version_interval
  [
    "["
    "]"
  ] @punctuation.bracket)

[
  "("
  ")"
  "["
  "]"
  "{"
  "}"
] @punctuation.bracket

"," @punctuation.delimiter

[
  "=>"
  "="
] @operator

[
  (interpreted_string_literal)
  (raw_string_literal)
] @string

(comment) @comment @spell

(indirect_comment) @comment.note

(deprecation_comment) @comment.warning

(unknown_directive
  name: (argument) @error)

(argument) @variable
