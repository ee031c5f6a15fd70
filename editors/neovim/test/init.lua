-- Headless end-to-end test of nixwise with Neovim's own LSP client (Neovim 0.7 and newer).
--
-- Run by run.sh as `nvim --headless -u init.lua <fixture>`. Environment:
--   NIXWISE_BIN              the nixwise binary to start (required)
--   NIXWISE_SNIPPET          editors/neovim/nixwise.lua, the configuration under test (required)
--   NIXWISE_TEST_RESULT      a file that receives the PASS/FAIL lines (optional)
--   NIXWISE_TEST_TIMEOUT_MS  how long to wait for each answer (default 20000)
--   NIXWISE_LSP_CONFIG       editors/neovim/lsp/nixwise.lua: when set, the server is configured
--                            from that file instead (with `vim.lsp.config` and `vim.lsp.enable` on
--                            Neovim 0.11 and newer, else through the snippet's attach), with
--                            `bool-comparison` raised to error in its settings, which the server
--                            must pull from Neovim
--
-- The test attaches nixwise through the snippet users copy, waits for a versioned
-- `bool-comparison` diagnostic at the fixture's known line, asks for its code actions, applies
-- the preferred quick fix, checks the buffer text, and waits for diagnostics of the edited
-- version that no longer report it. It exits with `qall!` on success and `cquit` on failure.

local bin = os.getenv('NIXWISE_BIN')
local snippet = os.getenv('NIXWISE_SNIPPET')
local result_file = os.getenv('NIXWISE_TEST_RESULT')
local timeout_ms = tonumber(os.getenv('NIXWISE_TEST_TIMEOUT_MS') or '') or 20000
local lsp_config_file = os.getenv('NIXWISE_LSP_CONFIG')
if lsp_config_file == '' then
  lsp_config_file = nil
end

-- What the fixture holds: the flagged line (0-based) and that line after the fix.
local FLAGGED_LINE = 6
local LINE_BEFORE = '  services.nginx.enable = lib.elem config.networking.hostName webHosts == true;'
local LINE_AFTER = '  services.nginx.enable = lib.elem config.networking.hostName webHosts;'
local LINT_NAME = 'bool-comparison'

local function report(line)
  io.stderr:write(line .. '\n')
  if result_file and result_file ~= '' then
    local file = io.open(result_file, 'a')
    if file then
      file:write(line .. '\n')
      file:close()
    end
  end
end

-- Raised by `fail` to leave the test; anything else raised is an error in the test or in Neovim.
local Failure = {}

local function fail(message)
  error(setmetatable({ message = message }, Failure), 0)
end

local function expect(condition, message)
  if not condition then
    fail(message)
  end
end

-- Every publishDiagnostics the server sent, in order, and how the server exited.
local published = {}
local server_exit = nil

local function publish_handler(err, result, ctx, config)
  if result then
    table.insert(published, result)
  end
  return vim.lsp.handlers['textDocument/publishDiagnostics'](err, result, ctx, config)
end

local function wait_for(what, condition)
  local ok = vim.wait(timeout_ms, function()
    return condition() or server_exit ~= nil
  end, 20)
  if condition() then
    return
  end
  if server_exit then
    fail(string.format('the server exited (code %s, signal %s) while waiting for %s', server_exit.code, server_exit.signal, what))
  end
  expect(ok, string.format('timed out after %d ms waiting for %s', timeout_ms, what))
end

local function buffer_version(bufnr)
  local versions = vim.lsp.util.buf_versions
  return versions and versions[bufnr]
end

-- The latest diagnostics published for `uri`, if any.
local function latest_for(uri)
  for index = #published, 1, -1 do
    if published[index].uri == uri then
      return published[index]
    end
  end
  return nil
end

-- One line, so that the FAIL line stays one line.
local function show(value)
  return vim.inspect(value, { newline = ' ', indent = '' })
end

local function find_lint(diagnostics)
  for _, diagnostic in ipairs(diagnostics or {}) do
    if diagnostic.code == LINT_NAME then
      return diagnostic
    end
  end
  return nil
end

-- vim.lsp.protocol.DiagnosticSeverity: 1 error, 2 warning.
local expected_severity = lsp_config_file and 1 or 2

--- Configures nixwise from lsp/nixwise.lua as a user of Neovim 0.11 would, after checking the
--- file's fields. Returns the client id.
local function attach_from_lsp_config(bufnr, overrides)
  local config = dofile(lsp_config_file)
  expect(type(config) == 'table', 'lsp/nixwise.lua does not return a table')
  expect(vim.deep_equal(config.cmd, { 'nixwise', 'server' }), 'cmd is ' .. show(config.cmd))
  expect(vim.deep_equal(config.filetypes, { 'nix' }), 'filetypes is ' .. show(config.filetypes))
  expect(
    vim.deep_equal(config.root_markers, { 'flake.nix', '.git' }),
    'root_markers is ' .. show(config.root_markers)
  )
  expect(type(config.settings) == 'table' and type(config.settings.nixwise) == 'table', 'no settings.nixwise')
  config = vim.tbl_deep_extend('force', config, overrides, {
    settings = { nixwise = { lints = { [LINT_NAME] = 'error' } } },
  })
  if vim.lsp.config and vim.lsp.enable then
    vim.lsp.config('nixwise', config)
    vim.lsp.enable('nixwise')
    local client = nil
    vim.wait(timeout_ms, function()
      client = vim.lsp.get_clients({ bufnr = bufnr, name = 'nixwise' })[1]
      return client ~= nil
    end, 20)
    expect(client, 'vim.lsp.enable did not attach nixwise to the buffer')
    report('ok - attached with vim.lsp.config and vim.lsp.enable')
    return client.id
  end
  -- Before 0.11 there is no `lsp/` loader: start what the file describes through the snippet.
  local nixwise = dofile(snippet)
  report('ok - attached with the fields of lsp/nixwise.lua through nixwise.lua')
  return nixwise.attach(bufnr, {
    cmd = config.cmd,
    settings = config.settings,
    handlers = config.handlers,
    on_exit = config.on_exit,
  })
end

local function run()
  expect(bin and bin ~= '', 'NIXWISE_BIN is not set')
  expect(snippet and snippet ~= '', 'NIXWISE_SNIPPET is not set')
  local bufnr = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(bufnr)
  expect(vim.api.nvim_buf_get_name(bufnr):match('%.nix$'), 'the fixture is not open')
  expect(
    vim.api.nvim_buf_get_lines(bufnr, FLAGGED_LINE, FLAGGED_LINE + 1, false)[1] == LINE_BEFORE,
    'the fixture does not hold the expected line ' .. (FLAGGED_LINE + 1)
  )
  if vim.bo[bufnr].filetype ~= 'nix' then
    vim.bo[bufnr].filetype = 'nix'
  end

  local overrides = {
    cmd = { bin, 'server' },
    handlers = { ['textDocument/publishDiagnostics'] = publish_handler },
    on_exit = function(code, signal)
      server_exit = { code = code, signal = signal }
    end,
  }
  local client_id
  if lsp_config_file then
    client_id = attach_from_lsp_config(bufnr, overrides)
  else
    client_id = dofile(snippet).attach(bufnr, overrides)
  end
  expect(client_id, 'the client did not start')

  -- 1. Diagnostics for the opened version, with the lint at the right place.
  local opened_version = buffer_version(bufnr)
  -- The first diagnostics may come before the server has pulled the settings; it publishes again
  -- once they apply.
  wait_for('diagnostics of the opened file at severity ' .. expected_severity, function()
    local latest = latest_for(uri)
    local found = latest and find_lint(latest.diagnostics)
    return found ~= nil and found.severity == expected_severity
  end)
  local first = latest_for(uri)
  expect(first.version ~= nil, 'publishDiagnostics carries no document version')
  if opened_version then
    expect(
      first.version == opened_version,
      string.format('diagnostics are for version %s, the buffer is at %s', first.version, opened_version)
    )
  end
  local diagnostic = find_lint(first.diagnostics)
  expect(diagnostic, 'no ' .. LINT_NAME .. ' diagnostic in ' .. show(first.diagnostics))
  expect(diagnostic.source == 'nixwise', 'diagnostic source is ' .. tostring(diagnostic.source))
  expect(
    diagnostic.range.start.line == FLAGGED_LINE,
    string.format('diagnostic on line %d, expected %d', diagnostic.range.start.line, FLAGGED_LINE)
  )
  local client_diagnostics = vim.diagnostic.get(bufnr)
  expect(#client_diagnostics > 0, 'Neovim shows no diagnostics for the buffer')
  report('ok - ' .. LINT_NAME .. ' diagnostic on line ' .. (FLAGGED_LINE + 1) .. ', version ' .. first.version)

  -- 2. The code actions for it, with one preferred quick fix.
  local params = {
    textDocument = { uri = uri },
    range = diagnostic.range,
    context = { diagnostics = { diagnostic }, only = { 'quickfix' } },
  }
  local responses, request_error = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, timeout_ms)
  expect(responses, 'codeAction failed: ' .. tostring(request_error))
  local response = responses[client_id]
  expect(response, 'no codeAction answer from nixwise')
  -- Neovim 0.10 renamed the `error` field of these results to `err`.
  local response_error = response.err or response.error
  expect(not response_error, 'codeAction error: ' .. show(response_error))
  local preferred = nil
  for _, action in ipairs(response.result or {}) do
    if action.kind == 'quickfix' and action.isPreferred then
      expect(preferred == nil, 'more than one preferred quick fix')
      preferred = action
    end
  end
  expect(preferred, 'no preferred quick fix in ' .. show(response.result))
  local client = vim.lsp.get_client_by_id(client_id)
  if not preferred.edit then
    -- A server may leave the edit to codeAction/resolve.
    local resolved = vim.lsp.buf_request_sync(bufnr, 'codeAction/resolve', preferred, timeout_ms)
    local answer = resolved and resolved[client_id]
    expect(answer and answer.result and answer.result.edit, 'the preferred quick fix has no edit')
    preferred = answer.result
  end
  report('ok - preferred quick fix: ' .. tostring(preferred.title))

  -- 3. Apply it and check the text.
  local encoding = (client and client.offset_encoding) or 'utf-16'
  vim.lsp.util.apply_workspace_edit(preferred.edit, encoding)
  local fixed = vim.api.nvim_buf_get_lines(bufnr, FLAGGED_LINE, FLAGGED_LINE + 1, false)[1]
  expect(fixed == LINE_AFTER, string.format('after the fix the line is %q, expected %q', fixed, LINE_AFTER))
  expect(
    vim.api.nvim_buf_line_count(bufnr) == #vim.fn.readfile(vim.api.nvim_buf_get_name(bufnr)),
    'the fix changed the number of lines'
  )
  report('ok - the fix gives: ' .. vim.trim(fixed))

  -- 4. The edit reaches the server as a change, and the new version no longer has the finding.
  local edited_version = buffer_version(bufnr)
  wait_for('diagnostics of the edited file', function()
    local latest = latest_for(uri)
    if latest == first or latest.version == nil then
      return false
    end
    if edited_version and latest.version ~= edited_version then
      return false
    end
    return find_lint(latest.diagnostics) == nil
  end)
  report('ok - diagnostics of version ' .. latest_for(uri).version .. ' no longer report ' .. LINT_NAME)

  -- 5. The server shuts down cleanly when asked.
  vim.lsp.stop_client(client_id)
  local exited = vim.wait(timeout_ms, function()
    return server_exit ~= nil
  end, 20)
  expect(exited, 'the server did not exit after shutdown and exit')
  expect(server_exit.code == 0, 'the server exited with code ' .. tostring(server_exit.code))
  report('ok - the server exited with code 0')
end

local function main()
  local ok, err = xpcall(run, function(problem)
    if getmetatable(problem) == Failure then
      return problem
    end
    return debug.traceback(tostring(problem), 2)
  end)
  if ok then
    report('PASS')
    vim.cmd('qall!')
  else
    local message = getmetatable(err) == Failure and err.message or ('error in the test: ' .. tostring(err))
    report('FAIL: ' .. message)
    vim.cmd('cquit')
  end
end

-- `-u` runs this file before the fixture is loaded; start once Neovim has opened it.
vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    -- Leave the autocommand first, so that waiting lets Neovim process the server's messages.
    vim.schedule(main)
  end,
})
