-- nixwise for Neovim's built-in LSP client, Neovim 0.7 and newer.
--
-- Save this file as `~/.config/nvim/lua/nixwise.lua` and add to your init.lua:
--
--   require('nixwise').setup()
--
-- or, with your own settings (the same keys as `nixwise.toml`):
--
--   require('nixwise').setup({
--     settings = { nixwise = { lints = { ['bool-comparison'] = 'off' } } },
--   })
--
-- Every `.nix` buffer gets a client for its project, found by the nearest `flake.nix` or `.git`
-- above it. On Neovim 0.8 and newer the client is started with `vim.lsp.start`, which reuses a
-- running client for the same project; on 0.7 with `vim.lsp.start_client` and one client per
-- project, kept here.

local M = {}

M.defaults = {
  name = 'nixwise',
  cmd = { 'nixwise', 'server' },
  -- Neovim answers the server's `workspace/configuration` requests from this table.
  settings = { nixwise = {} },
}

local root_markers = { 'flake.nix', '.git' }

--- The folder of the nearest root marker above the buffer's file, else the file's own folder.
function M.find_root(bufnr)
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == '' then
    return (vim.uv or vim.loop).cwd()
  end
  local dir = vim.fn.fnamemodify(path, ':p:h')
  for _, marker in ipairs(root_markers) do
    -- `;` makes findfile and finddir search upwards.
    local found = vim.fn.findfile(marker, dir .. ';')
    if found == '' then
      found = vim.fn.finddir(marker, dir .. ';')
    end
    if found ~= '' then
      -- A `.git` folder comes back as `<root>/.git`, a `.git` file (a worktree) as `<root>`.
      local root = vim.fn.fnamemodify(found, ':p:h'):gsub('/%.git$', '')
      return root
    end
  end
  return dir
end

-- Clients started on Neovim 0.7, by root folder.
local legacy_clients = {}

local function attach_legacy(bufnr, config)
  local client_id = legacy_clients[config.root_dir]
  local client = client_id and vim.lsp.get_client_by_id(client_id)
  if not client or client.is_stopped() then
    client_id = vim.lsp.start_client(config)
    if not client_id then
      return nil
    end
    legacy_clients[config.root_dir] = client_id
  end
  vim.lsp.buf_attach_client(bufnr, client_id)
  return client_id
end

--- Sends the settings once the server is up. Neovim answers the server's
--- `workspace/configuration` requests, but before 0.8 it does not say so in its capabilities, so
--- the server would not ask: a `workspace/didChangeConfiguration` carrying the settings reaches it
--- on every version (from 0.8 on, the server answers it by pulling the same settings).
local function with_settings_push(on_init)
  return function(client, result)
    client.notify('workspace/didChangeConfiguration', { settings = client.config.settings or {} })
    if on_init then
      return on_init(client, result)
    end
  end
end

--- Starts or reuses the nixwise client for a buffer and attaches it. Returns the client id.
function M.attach(bufnr, opts)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local config = vim.tbl_extend('force', M.defaults, opts or {})
  config.root_dir = config.root_dir or M.find_root(bufnr)
  config.on_init = with_settings_push(config.on_init)
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  return attach_legacy(bufnr, config)
end

--- Attaches nixwise to every Nix buffer, the open ones and those opened later.
function M.setup(opts)
  local group = vim.api.nvim_create_augroup('nixwise', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'nix',
    callback = function(args)
      M.attach(args.buf, opts)
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.bo[bufnr].filetype == 'nix' then
      M.attach(bufnr, opts)
    end
  end
end

return M
