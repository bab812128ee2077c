; go.sum highlights. Capture names follow nvim-treesitter's conventions, which Helix and Zed map too.

(module_path) @module

(version) @number

"/go.mod" @string.special

(hash_algorithm) @attribute

":" @punctuation.delimiter

(hash_value) @string
