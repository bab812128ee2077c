-- Drives a real headless Neovim through the shipped editors/neovim configuration, the way a user's
-- init.lua would, and writes what the editor received as JSON for the Rust test to check.
--
-- Run as `nvim --headless --clean -u neovim.lua` with the environment:
--   GOMODLS_REPO      the repository root (editors/neovim is added to 'runtimepath' from there)
--   GOMODLS_BIN       the gomodls binary under test
--   GOMODLS_SCENARIO  `lsp`, `proxy` or `treesitter`
--   GOMODLS_WORKDIR   a folder holding the scenario's files
--   GOMODLS_RESULT    where to write the JSON result
--   GOMODLS_WAIT_MS   the bound of every wait
--   GOMODLS_HOVER_AT, GOMODLS_QUICK_FIX_AT  "line,column" (0-based, bytes) in go.mod
--   GOMODLS_DELETE_LINES  how many lines the user deletes from the end of go.mod
--   GOMODLS_PICK      what the user looks for in a menu of code actions
-- The `proxy` scenario (the server talks to a test module proxy through GOPROXY) also reads:
--   GOMODLS_WAIT_CODE     a diagnostic code that appears once the proxy's facts have arrived
--   GOMODLS_HOVER_SHOWS   text the hover at GOMODLS_HOVER_AT shows once publish times are there
--   GOMODLS_COMPLETE_AT   "line,column" of a version to complete; GOMODLS_ACCEPT the label taken
--   GOMODLS_ADD_LINE      a line the user appends to go.mod after a blank line;
--                         GOMODLS_PIN_AT "line,column" on it
-- Every wait is bounded; on any failure the script writes `{ "error": ... }` and exits non-zero.

local repo = assert(os.getenv('GOMODLS_REPO'), 'GOMODLS_REPO')
local workdir = assert(os.getenv('GOMODLS_WORKDIR'), 'GOMODLS_WORKDIR')
local result_path = assert(os.getenv('GOMODLS_RESULT'), 'GOMODLS_RESULT')
local scenario = assert(os.getenv('GOMODLS_SCENARIO'), 'GOMODLS_SCENARIO')
local wait_ms = tonumber(os.getenv('GOMODLS_WAIT_MS') or '') or 30000

-- What a user's init.lua does (README.md): the plugin folder on 'runtimepath', the server's path,
-- then enable it. Only `cmd` is overridden, to run the freshly built binary.
vim.opt.runtimepath:prepend(repo .. '/editors/neovim')
vim.lsp.config('gomodls', { cmd = { (assert(os.getenv('GOMODLS_BIN'), 'GOMODLS_BIN')) } })
vim.lsp.enable('gomodls')

-- Messages the editor shows (for example "No information available"), in order.
local notifications = {}
vim.notify = function(message, level)
  table.insert(notifications, { message = tostring(message), level = level })
end

-- How many times each buffer's diagnostics were set (even to none): a pull has been answered.
local diagnostics_set = {}
vim.api.nvim_create_autocmd('DiagnosticChanged', {
  callback = function(args)
    diagnostics_set[args.buf] = (diagnostics_set[args.buf] or 0) + 1
  end,
})

-- The document version of the last pushed diagnostics, by URI (a push made before an edit can
-- arrive after it).
local pushed_versions = {}
local publish_handler = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, params, ctx, config)
  if params then
    pushed_versions[params.uri] = params.version
  end
  return publish_handler(err, params, ctx, config)
end

-- Requests sent to servers and not yet answered, and when the last one started or ended.
local pending_requests = 0
local last_request_event = vim.uv.now()
vim.api.nvim_create_autocmd('LspRequest', {
  callback = function(args)
    local kind = args.data.request.type
    if kind == 'pending' then
      pending_requests = pending_requests + 1
    elseif kind == 'complete' or kind == 'cancel' then
      pending_requests = pending_requests - 1
    end
    last_request_event = vim.uv.now()
  end,
})

-- The user's pick in a menu (`vim.ui.select`, where Neovim lists several code actions): the
-- entry whose text contains GOMODLS_PICK, as shown; every menu is recorded.
local menus = {}
vim.ui.select = function(items, opts, on_choice)
  local shown, choice = {}, nil
  for index, item in ipairs(items) do
    local text = opts and opts.format_item and opts.format_item(item) or tostring(item)
    table.insert(shown, text)
    if not choice and os.getenv('GOMODLS_PICK') and text:find(os.getenv('GOMODLS_PICK'), 1, true) then
      choice = index
    end
  end
  table.insert(menus, shown)
  on_choice(choice and items[choice] or nil, choice)
end

local function write_result(value)
  local file = assert(io.open(result_path, 'w'))
  file:write(vim.json.encode(value))
  file:close()
end

--- Waits until `condition` returns a value other than nil/false and returns it; errors with
--- `what` after GOMODLS_WAIT_MS.
local function wait_for(what, condition)
  local value
  local ok = vim.wait(wait_ms, function()
    value = condition()
    return value ~= nil and value ~= false
  end, 10)
  if not ok then
    error('timed out waiting for ' .. what, 2)
  end
  return value
end

local function buffer_text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, true), '\n') .. '\n'
end

--- The diagnostics of a buffer as plain values, sorted by position.
local function diagnostics_of(buf)
  local list = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(buf)) do
    table.insert(list, {
      lnum = diagnostic.lnum,
      col = diagnostic.col,
      end_lnum = diagnostic.end_lnum,
      end_col = diagnostic.end_col,
      message = diagnostic.message,
      severity = diagnostic.severity,
      code = diagnostic.code,
      source = diagnostic.source,
    })
  end
  table.sort(list, function(a, b)
    if a.lnum ~= b.lnum then
      return a.lnum < b.lnum
    end
    return a.col < b.col
  end)
  return list
end

local function open(name)
  vim.cmd.edit(vim.fn.fnameescape(workdir .. '/' .. name))
  return vim.api.nvim_get_current_buf()
end

local function client_of(buf)
  return wait_for('gomodls to attach to ' .. vim.api.nvim_buf_get_name(buf), function()
    return vim.lsp.get_clients({ bufnr = buf, name = 'gomodls' })[1]
  end)
end

--- The lines of the floating windows open now, or nil if there is none.
local function floating_lines()
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= '' then
      return vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false)
    end
  end
end

local function close_floating()
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= '' then
      vim.api.nvim_win_close(win, true)
    end
  end
end

--- Waits until a new message was shown (index past `seen`) or `condition` holds.
local function wait_for_effect(what, seen, condition)
  return wait_for(what, function()
    if condition() then
      return 'done'
    end
    if #notifications > seen then
      return 'notified'
    end
  end)
end

--- Puts the cursor at the "line,column" (0-based) of an environment variable.
local function set_cursor(variable)
  local line, column = (assert(os.getenv(variable), variable)):match('^(%d+),(%d+)$')
  vim.api.nvim_win_set_cursor(0, { tonumber(line) + 1, tonumber(column) })
end

local function lsp_scenario()
  local result = {}

  -- 1. go.mod with a syntax error: the server's diagnostics appear.
  local buf = open('go.mod')
  local client = client_of(buf)
  result.root_dir = client.root_dir
  result.filetype = vim.bo[buf].filetype
  result.offset_encoding = client.offset_encoding
  result.supports = {
    hover = client:supports_method('textDocument/hover', buf),
    code_action = client:supports_method('textDocument/codeAction', buf),
    formatting = client:supports_method('textDocument/formatting', buf),
  }
  local broken = wait_for('the diagnostics of go.mod', function()
    local list = diagnostics_of(buf)
    return #list > 0 and list or nil
  end)
  result.diagnostics_broken = broken

  -- 2. The user deletes the broken last lines: the diagnostics follow the edit.
  -- Deleting lines moves the old diagnostics' marks too, so the new ones are those set after
  -- the edit: pulled then, or pushed for the edited version (a client that cannot be asked to
  -- pull again gets pushed diagnostics).
  local broken_json = vim.json.encode(broken)
  local sets_before_edit = diagnostics_set[buf] or 0
  local pulls = client.server_capabilities.diagnosticProvider ~= nil
  local uri = vim.uri_from_bufnr(buf)
  local line_count = vim.api.nvim_buf_line_count(buf)
  local deleted = tonumber((assert(os.getenv('GOMODLS_DELETE_LINES'), 'GOMODLS_DELETE_LINES')))
  vim.api.nvim_buf_set_lines(buf, line_count - deleted, line_count, true, {})
  result.text_fixed = buffer_text(buf)
  result.diagnostics_fixed = wait_for('the diagnostics after the edit', function()
    local list = diagnostics_of(buf)
    local current = pulls and (diagnostics_set[buf] or 0) > sets_before_edit
      or pushed_versions[uri] == vim.lsp.util.buf_versions[buf]
    if current and vim.json.encode(list) ~= broken_json then
      return list
    end
  end)

  -- 3. Hover (on the `require` keyword).
  set_cursor('GOMODLS_HOVER_AT')
  if result.supports.hover then
    local seen = #notifications
    vim.lsp.buf.hover()
    wait_for_effect('the hover', seen, function()
      return floating_lines() ~= nil
    end)
    result.hover_lines = floating_lines()
    close_floating()
  end

  -- 4. Quick fix (on `example.com/a v1.2`), applied at once as a user's mapping would.
  set_cursor('GOMODLS_QUICK_FIX_AT')
  if result.supports.code_action then
    local seen = #notifications
    local before = buffer_text(buf)
    -- Neovim sends the diagnostics of the cursor's line as the request's context, applies a
    -- lone quick fix at once and lists several in a menu (answered above).
    vim.lsp.buf.code_action({ context = { only = { 'quickfix' } }, apply = true })
    wait_for_effect('the quick fix', seen, function()
      return buffer_text(buf) ~= before
    end)
  end
  result.text_after_quick_fix = buffer_text(buf)
  result.quick_fix_menus = vim.deepcopy(menus)

  -- 5. Format the document.
  if result.supports.formatting then
    vim.lsp.buf.format({ bufnr = buf, timeout_ms = wait_ms })
  end
  result.text_final = buffer_text(buf)

  -- 6. go.work and go.sum buffers attach to the same server.
  local work = open('go.work')
  result.work_filetype = vim.bo[work].filetype
  result.work_same_client = client_of(work).id == client.id
  result.work_diagnostics = wait_for('the diagnostics of go.work', function()
    local list = diagnostics_of(work)
    return #list > 0 and list or nil
  end)
  local sum = open('go.sum')
  result.sum_filetype = vim.bo[sum].filetype
  result.sum_same_client = client_of(sum).id == client.id
  -- Its diagnostics were pulled (Neovim would otherwise pull them after the shutdown below).
  wait_for('the diagnostics of go.sum', function()
    return diagnostics_set[sum]
  end)
  result.sum_diagnostics = diagnostics_of(sum)

  result.notifications = vim.deepcopy(notifications)
  return result
end

--- The text of a hover's, or a completion item's, documentation (a string, MarkedString(s) or
--- MarkupContent).
local function markup_text(contents)
  if type(contents) == 'string' then
    return contents
  end
  if type(contents) ~= 'table' then
    return ''
  end
  if contents.value then
    return contents.value
  end
  local parts = {}
  for _, part in ipairs(contents) do
    table.insert(parts, markup_text(part))
  end
  return table.concat(parts, '\n')
end

local function proxy_scenario()
  local result = {}

  -- 1. go.mod opens; once the proxy's facts have arrived the server's diagnostics say so.
  local buf = open('go.mod')
  local client = client_of(buf)
  result.offset_encoding = client.offset_encoding
  local wait_code = assert(os.getenv('GOMODLS_WAIT_CODE'), 'GOMODLS_WAIT_CODE')
  wait_for('a ' .. wait_code .. ' diagnostic', function()
    for _, diagnostic in ipairs(diagnostics_of(buf)) do
      if diagnostic.code == wait_code then
        return true
      end
    end
  end)
  result.diagnostics = diagnostics_of(buf)

  -- 2. Hover on a require line: the floating window shows the proxy's data. Publish times load
  -- in the background after the facts, so the user hovers again until GOMODLS_HOVER_SHOWS is
  -- there.
  set_cursor('GOMODLS_HOVER_AT')
  local shows = assert(os.getenv('GOMODLS_HOVER_SHOWS'), 'GOMODLS_HOVER_SHOWS')
  local seen = #notifications
  result.hovers = 0
  wait_for('a hover showing ' .. shows, function()
    result.hovers = result.hovers + 1
    vim.lsp.buf.hover()
    wait_for_effect('the hover', seen, function()
      return floating_lines() ~= nil
    end)
    result.hover_lines = floating_lines()
    close_floating()
    if table.concat(result.hover_lines, '\n'):find(shows, 1, true) then
      return true
    end
    vim.wait(50)
  end)

  -- 3. Completion on a require's version: the user takes an item and Neovim applies its
  -- textEdit to the buffer.
  set_cursor('GOMODLS_COMPLETE_AT')
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  params.context = { triggerKind = 1 }
  -- An incomplete answer is asked again, as Neovim does while the user types on.
  result.completion_requests = 0
  local list = wait_for('a complete completion list', function()
    result.completion_requests = result.completion_requests + 1
    local response = client:request_sync('textDocument/completion', params, wait_ms, buf)
    if not response or response.err then
      error('completion failed: ' .. vim.inspect(response))
    end
    local answer = response.result or {}
    if answer.isIncomplete ~= true then
      return answer
    end
    vim.wait(50)
  end)
  local items = list.items or list
  local accept = assert(os.getenv('GOMODLS_ACCEPT'), 'GOMODLS_ACCEPT')
  result.completion_items = {}
  local taken
  for _, item in ipairs(items) do
    table.insert(result.completion_items, {
      label = item.label,
      detail = item.detail,
      preselect = item.preselect == true,
      has_text_edit = item.textEdit ~= nil,
    })
    if item.label == accept then
      taken = item
    end
  end
  if not taken then
    error('no completion item ' .. accept .. ' in ' .. vim.inspect(result.completion_items))
  end
  local edits = { taken.textEdit }
  vim.list_extend(edits, taken.additionalTextEdits or {})
  vim.lsp.util.apply_text_edits(edits, buf, client.offset_encoding)
  result.text_after_completion = buffer_text(buf)

  -- 4. The user adds a require written as a branch name and pins it with the code action; the
  -- action is resolved through the proxy before Neovim applies it.
  local line_count = vim.api.nvim_buf_line_count(buf)
  vim.api.nvim_buf_set_lines(buf, line_count, line_count, true,
    { '', (assert(os.getenv('GOMODLS_ADD_LINE'), 'GOMODLS_ADD_LINE')) })
  local before_pin = buffer_text(buf)
  result.text_before_pin = before_pin
  set_cursor('GOMODLS_PIN_AT')
  local pick = assert(os.getenv('GOMODLS_PICK'), 'GOMODLS_PICK')
  seen = #notifications
  result.pin_titles = {}
  vim.lsp.buf.code_action({
    filter = function(action)
      table.insert(result.pin_titles, action.title)
      return action.title:find(pick, 1, true) ~= nil
    end,
    apply = true,
  })
  wait_for_effect('the pin', seen, function()
    return buffer_text(buf) ~= before_pin
  end)
  result.text_after_pin = buffer_text(buf)
  result.notifications = vim.deepcopy(notifications)
  return result
end

local function treesitter_scenario()
  local result = {}
  local ts = require('gomodls.treesitter')
  -- Compile the parsers with the shipped build function, then the shipped setup.
  local parser_dir = ts.build({ parser_dir = workdir .. '/parser', timeout_ms = wait_ms })
  ts.setup({ parser_dir = parser_dir })

  local buf = open('go.mod')
  result.filetype = vim.bo[buf].filetype
  result.highlighting = vim.treesitter.highlighter.active[buf] ~= nil
  local parser = vim.treesitter.get_parser(buf)
  result.lang = parser:lang()
  result.has_error = parser:parse()[1]:root():has_error()
  -- The captures at each position the test asks about (GOMODLS_POSITIONS: "row:col,...").
  result.captures = {}
  for row, col in (os.getenv('GOMODLS_POSITIONS') or ''):gmatch('(%d+):(%d+)') do
    local names = {}
    for _, capture in ipairs(vim.treesitter.get_captures_at_pos(buf, tonumber(row), tonumber(col))) do
      table.insert(names, capture.capture)
    end
    table.insert(result.captures, { row = tonumber(row), col = tonumber(col), names = names })
  end
  -- Folding: the fold levels of every line, then close the fold around the require block.
  result.foldmethod = vim.wo.foldmethod
  result.foldlevels = {}
  for line = 1, vim.api.nvim_buf_line_count(buf) do
    table.insert(result.foldlevels, vim.fn.foldlevel(line))
  end
  local fold_line = tonumber(os.getenv('GOMODLS_FOLD_LINE') or '1')
  vim.api.nvim_win_set_cursor(0, { fold_line, 0 })
  vim.cmd('normal! zc')
  result.fold = { vim.fn.foldclosed(fold_line), vim.fn.foldclosedend(fold_line) }

  -- The other two languages load and highlight too.
  for _, name in ipairs({ 'go.work', 'go.sum' }) do
    local other = open(name)
    local other_parser = vim.treesitter.get_parser(other)
    result[name] = {
      filetype = vim.bo[other].filetype,
      lang = other_parser:lang(),
      highlighting = vim.treesitter.highlighter.active[other] ~= nil,
      has_error = other_parser:parse()[1]:root():has_error(),
      first_capture = (vim.treesitter.get_captures_at_pos(other, 0, 0)[1] or {}).capture,
    }
  end
  result.notifications = vim.deepcopy(notifications)
  return result
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    vim.schedule(function()
      local scenarios = {
        lsp = lsp_scenario,
        proxy = proxy_scenario,
        treesitter = treesitter_scenario,
      }
      local ok, value = xpcall(assert(scenarios[scenario], scenario), debug.traceback)
      if ok then
        -- Neovim sends some requests a moment after opening a file (diagnostic pulls, semantic
        -- tokens); if the server has exited by then, the write kills Neovim with SIGPIPE. So wait
        -- until no request is pending for a while, then stop the servers and wait for them.
        -- A client still starting would write `initialized` and `didOpen` after the stop, too
        -- (`get_clients` lists only initialized clients unless asked).
        local settled, problem = pcall(wait_for, 'the requests to settle', function()
          for _, client in ipairs(vim.lsp.get_clients({ _uninitialized = true })) do
            if not client.initialized then
              last_request_event = vim.uv.now()
              return false
            end
          end
          return pending_requests <= 0 and vim.uv.now() - last_request_event > 300
        end)
        if not settled then
          ok, value = false, problem
        end
      end
      if ok then
        vim.lsp.stop_client(vim.lsp.get_clients({ _uninitialized = true }))
        local stopped, problem = pcall(wait_for, 'the servers to exit', function()
          return #vim.lsp.get_clients({ _uninitialized = true }) == 0
        end)
        if not stopped then
          ok, value = false, problem
        end
      end
      if ok then
        write_result(value)
        vim.cmd('qall!')
      else
        write_result({ error = value, notifications = notifications })
        vim.cmd('cquit! 1')
      end
    end)
  end,
})
