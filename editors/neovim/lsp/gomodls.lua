-- gomodls for Neovim 0.11+: found on 'runtimepath' by `vim.lsp.config` and started for go.mod,
-- go.work and go.sum buffers once you call `vim.lsp.enable('gomodls')`. See README.md.

---@type vim.lsp.Config
return {
  -- The server speaks LSP over stdio; `gomodls` must be on $PATH (or override `cmd`).
  cmd = { 'gomodls' },
  -- Neovim's own filetypes: go.mod is `gomod`, go.work `gowork`, go.sum and go.work.sum `gosum`.
  filetypes = { 'gomod', 'gowork', 'gosum' },
  -- Earlier markers win, as the go command's own lookup does: the nearest go.work above the file,
  -- else its go.mod, else the repository.
  root_markers = { 'go.work', 'go.mod', '.git' },
}
