; go.sum highlights. Capture names follow nvim-treesitter's conventions, which Helix and Zed map too.

(module_path) @module

(version) @number

"/go.mod" @string.special

; The hash is one token: `h1:` and the encoded value (the language server colours them apart).
(hash) @string
