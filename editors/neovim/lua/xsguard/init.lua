-- xsguard for Neovim 0.11+: filetype, language server and tree-sitter parser.
--
--   require('xsguard').setup({
--     lsp = { cmd = { 'xsguard', 'lsp' } },   -- merged into vim.lsp.config('xsguard', ...)
--   })
local M = {}

--- The folder of this plugin (editors/neovim) and of the grammar beside it in the repository.
local plugin_dir = vim.fs.dirname(vim.fs.dirname(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2))))
M.plugin_dir = plugin_dir
M.grammar_dir = vim.fs.normalize(plugin_dir .. '/../../tree-sitter-xanoscript')

M.repository = 'https://github.com/xsguard/xsguard'

--- Tells nvim-treesitter where the grammar is, on both its `master` and its `main` branch, so
--- that `:TSInstall xanoscript` works. The queries come from this plugin's `queries/` folder.
function M.register_parser()
  local ok, parsers = pcall(require, 'nvim-treesitter.parsers')
  if not ok then
    return false
  end
  local install_info = {
    url = M.repository,
    location = 'tree-sitter-xanoscript',
    branch = 'main',
    files = { 'src/parser.c', 'src/scanner.c' },
    generate_requires_npm = false,
    requires_generate_from_grammar = false,
  }
  if type(parsers.get_parser_configs) == 'function' then
    -- master: a table of configs behind a function
    parsers.get_parser_configs().xanoscript = { install_info = install_info, filetype = 'xanoscript' }
  else
    -- main: a plain table, which it rebuilds before firing `User TSUpdate`
    local entry = { install_info = install_info, tier = 3 }
    parsers.xanoscript = entry
    vim.api.nvim_create_autocmd('User', {
      pattern = 'TSUpdate',
      group = vim.api.nvim_create_augroup('xsguard_treesitter', { clear = true }),
      callback = function()
        require('nvim-treesitter.parsers').xanoscript = entry
      end,
    })
  end
  return true
end

--- Compiles the grammar beside this plugin into `<dir>/parser/xanoscript.so`, so highlighting
--- works without nvim-treesitter. `dir` defaults to `stdpath('data')/site` (for example
--- ~/.local/share/nvim/site), which Neovim has on 'runtimepath': the library is not left in the
--- checkout. Needs a C compiler. Returns the path of the library.
--- The shell equivalent, without Neovim: editors/neovim/build-parser.sh.
---@param opts? { dir?: string, cc?: string, cflags?: string[] }
function M.build_parser(opts)
  opts = opts or {}
  local src = M.grammar_dir .. '/src'
  if not vim.uv.fs_stat(src .. '/parser.c') then
    error('xsguard: no grammar at ' .. M.grammar_dir .. ' (build_parser works from a checkout of ' .. M.repository .. ')')
  end
  local out_dir = (opts.dir or (vim.fn.stdpath('data') .. '/site')) .. '/parser'
  vim.fn.mkdir(out_dir, 'p')
  local out = out_dir .. '/xanoscript.so'
  local cc = opts.cc or vim.env.CC or 'cc'
  local cmd = { cc, '-shared', '-fPIC', '-I' .. src, src .. '/parser.c', src .. '/scanner.c', '-o', out }
  vim.list_extend(cmd, opts.cflags or { '-O2' })
  if vim.fn.has('mac') == 1 then
    cmd[2] = '-bundle'
  end
  local result = vim.system(cmd, { text = true }):wait()
  if result.code ~= 0 then
    error('xsguard: compiling the parser failed: ' .. (result.stderr or ''))
  end
  return out
end

---@param opts? { lsp?: vim.lsp.Config, enable?: boolean }
function M.setup(opts)
  opts = opts or {}
  vim.filetype.add({ extension = { xs = 'xanoscript' } })
  M.register_parser()
  if opts.lsp then
    vim.lsp.config('xsguard', opts.lsp)
  end
  if opts.enable ~= false then
    vim.lsp.enable('xsguard')
  end
end

return M
