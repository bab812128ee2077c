; Lines inside a block are indented one level; the closing `)` goes back.
; Both nvim-treesitter's capture names and Helix's are given; each editor uses its own.
(block) @indent.begin @indent

(block
  ")" @indent.branch @indent.end @outdent)
