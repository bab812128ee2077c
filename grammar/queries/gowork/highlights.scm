; go.work highlights. Capture names follow nvim-treesitter's conventions, which Helix and Zed map too.

[
  "go"
  "toolchain"
  "godebug"
  "use"
  "replace"
] @keyword

(module_path) @module

(version) @number

(go_version) @number

(toolchain_name) @constant

(file_path) @string.special.path

(godebug_key) @property

(godebug_value) @constant


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


(deprecation_comment) @comment.warning

(unknown_directive
  name: (argument) @error)

(argument) @variable
