-- nixwise for Neovim 0.11 and newer, in the form of nvim-lspconfig's `lsp/` folder.
--
-- Put this file at `~/.config/nvim/lsp/nixwise.lua` (or in any `lsp/` folder on 'runtimepath'),
-- then in init.lua:
--
--   vim.lsp.enable('nixwise')
--
-- Change a field with `vim.lsp.config('nixwise', { settings = { nixwise = { … } } })` before
-- enabling. The settings are the keys of nixwise.toml; Neovim answers the server's
-- `workspace/configuration` requests for the section `nixwise` from them, and a nixwise.toml in
-- the project applies too. nixwise runs beside nil or nixd: enable both.
return {
  cmd = { 'nixwise', 'server' },
  filetypes = { 'nix' },
  root_markers = { 'flake.nix', '.git' },
  settings = {
    nixwise = {
      -- lints = { ['bool-comparison'] = 'off', NIX201 = 'error' },
      -- exclude = { 'generated/**' },
    },
  },
}
