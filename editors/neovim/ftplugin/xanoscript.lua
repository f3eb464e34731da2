-- XanoScript buffers: `//` comments, two-space indentation, tree-sitter highlighting and folding
-- when the xanoscript parser is installed (see `require('xsguard').build_parser()`).
vim.bo.commentstring = '// %s'
vim.bo.comments = '://'
vim.bo.expandtab = true
vim.bo.shiftwidth = 2
vim.bo.tabstop = 2

if pcall(vim.treesitter.start) then
  vim.wo[0][0].foldmethod = 'expr'
  vim.wo[0][0].foldexpr = 'v:lua.vim.treesitter.foldexpr()'
  vim.wo[0][0].foldlevel = 99
end

vim.b.undo_ftplugin = (vim.b.undo_ftplugin or '') .. '\n setl commentstring< comments< expandtab< shiftwidth< tabstop<'
