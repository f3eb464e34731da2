-- xsguard language server for Neovim 0.11+ (`:h lsp-config`).
--
-- With this folder on 'runtimepath', `vim.lsp.enable('xsguard')` starts `xsguard lsp` for
-- XanoScript buffers. Override any field with `vim.lsp.config('xsguard', { ... })`, e.g.
--   vim.lsp.config('xsguard', {
--     cmd = { '/path/to/xsguard', 'lsp' },
--     settings = { xsguard = { severity = { XS301 = 'off', XS303 = 'error' } } },
--   })

---@type vim.lsp.Config
return {
  cmd = { 'xsguard', 'lsp' },
  filetypes = { 'xanoscript' },
  -- A folder is checked as one workspace: tables defined in one file inform rules in another.
  root_markers = { 'xsguard.toml', '.git' },
  -- Answered to the server's `workspace/configuration` request for the `xsguard` section.
  settings = {
    xsguard = {
      -- Per-rule overrides: rule code -> 'off' | 'info' | 'warning' | 'error'.
      severity = vim.empty_dict(),
    },
  },
}
