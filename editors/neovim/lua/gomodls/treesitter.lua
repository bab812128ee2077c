-- Tree-sitter highlighting and folding for go.mod, go.work and go.sum with gomodls' own grammars
-- and queries (grammar/ in this repository), for Neovim 0.11+. See README.md.
--
--   require('gomodls.treesitter').build()  -- once: compiles parser/{gomod,gowork,gosum}.so
--   require('gomodls.treesitter').setup()  -- in init.lua: queries, parsers, highlight, folds

local M = {}

--- The languages, named as Neovim's filetypes (and nvim-treesitter, Helix and Zed) name them.
M.languages = { 'gomod', 'gowork', 'gosum' }

--- The root of the gomodls repository this file lives in (editors/neovim/lua/gomodls/).
local function repository()
  local source = debug.getinfo(1, 'S').source:sub(2)
  return vim.fs.normalize(vim.fn.fnamemodify(source, ':p:h:h:h:h:h'))
end

--- Options of `build` and `setup`; every field is optional.
---@class gomodls.treesitter.Options
---@field grammar_dir? string the grammar/ folder (default: this repository's)
---@field parser_dir? string where the compiled parsers are (default: editors/neovim/parser)
---@field compiler? string the C compiler for `build` (default: $CC, else cc)
---@field timeout_ms? integer how long `build` waits for each compilation (default: 60000)
---@field fold? boolean fold blocks with tree-sitter (default: true)

---@param opts gomodls.treesitter.Options
local function directories(opts)
  local root = repository()
  return opts.grammar_dir or (root .. '/grammar'), opts.parser_dir or (root .. '/editors/neovim/parser')
end

--- Compiles the three parsers from their generated C sources (grammar/<lang>/src, committed), as
--- nvim-treesitter would: `cc -shared -fPIC -O2 -I src src/parser.c src/scanner.c`. Neovim finds
--- `parser/<lang>.so` on 'runtimepath', where editors/neovim is once you add it. Errors if a
--- compilation fails or takes longer than `timeout_ms`. Returns the folder of the parsers.
---@param opts? gomodls.treesitter.Options
---@return string
function M.build(opts)
  opts = opts or {}
  local grammar_dir, parser_dir = directories(opts)
  local compiler = opts.compiler or vim.env.CC or 'cc'
  vim.fn.mkdir(parser_dir, 'p')
  for _, lang in ipairs(M.languages) do
    local src = grammar_dir .. '/' .. lang .. '/src'
    local command = {
      compiler, '-shared', '-fPIC', '-O2', '-I', src,
      src .. '/parser.c', src .. '/scanner.c',
      '-o', parser_dir .. '/' .. lang .. '.so',
    }
    local result = vim.system(command, { text = true }):wait(opts.timeout_ms or 60000)
    if result.code ~= 0 then
      error(('gomodls: building the %s parser failed (%s): %s'):format(
        lang, table.concat(command, ' '), result.stderr or ''))
    end
  end
  return parser_dir
end

--- Makes Neovim use our queries and parsers, and starts tree-sitter highlighting (and folding,
--- unless `fold = false`) in gomod, gowork and gosum buffers.
---@param opts? gomodls.treesitter.Options
function M.setup(opts)
  opts = opts or {}
  local grammar_dir, parser_dir = directories(opts)
  -- Neovim reads the first queries/<lang>/<name>.scm on 'runtimepath' (other copies only when they
  -- say `; extends`), so ours go first: nvim-treesitter ships queries for other gomod grammars.
  vim.opt.runtimepath:prepend(grammar_dir)
  for _, lang in ipairs(M.languages) do
    local path = parser_dir .. '/' .. lang .. '.so'
    if vim.uv.fs_stat(path) then
      vim.treesitter.language.add(lang, { path = path })
    end
  end
  vim.api.nvim_create_autocmd('FileType', {
    group = vim.api.nvim_create_augroup('gomodls.treesitter', { clear = true }),
    pattern = M.languages,
    callback = function(args)
      local ok, problem = pcall(vim.treesitter.start, args.buf)
      if not ok then
        vim.notify_once('gomodls: no tree-sitter parser for ' .. vim.bo[args.buf].filetype
          .. ': run :lua require("gomodls.treesitter").build() (' .. tostring(problem) .. ')',
          vim.log.levels.WARN)
        return
      end
      if opts.fold ~= false then
        vim.wo[0][0].foldmethod = 'expr'
        vim.wo[0][0].foldexpr = 'v:lua.vim.treesitter.foldexpr()'
      end
    end,
  })
end

return M
