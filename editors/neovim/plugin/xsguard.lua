-- Neovim maps `.xs` to Perl XS by default; XanoScript files are `xanoscript`.
if vim.g.loaded_xsguard then
  return
end
vim.g.loaded_xsguard = true

vim.filetype.add({ extension = { xs = 'xanoscript' } })
