-- Neovim (0.7, headless) as a real LSP client of `vigil lsp`: the
-- diagnostics of a file with three mistakes (compared with `vigil check`),
-- a file with non-ASCII text before the error (UTF-16 columns), hover,
-- completion, rename of a let across two files, and formatting.
-- Run by nvim_test.sh: nvim --headless --clean -c "luafile nvim_test.lua"
local vigil = os.getenv('VIGIL')
local dir = os.getenv('DATA')  -- a scratch copy of tests/lsp/data
local failures = 0
local checks = 0

local function check(cond, what)
  checks = checks + 1
  if not cond then
    failures = failures + 1
    io.stderr:write('FAIL: ' .. what .. '\n')
  end
end

local function finish()
  io.stderr:write(string.format('neovim: %d checks, %d failed\n', checks, failures))
  vim.cmd(failures == 0 and 'qall!' or 'cquit! 1')
end

local ok, err = pcall(function()
  local received = {}
  local client_id = vim.lsp.start_client({
    cmd = { vigil, 'lsp' },
    root_dir = dir,
    cmd_cwd = dir,
    handlers = {
      ['textDocument/publishDiagnostics'] = function(e, result, ctx, config)
        received[result.uri] = result.diagnostics
        vim.lsp.diagnostic.on_publish_diagnostics(e, result, ctx, config)
      end,
    },
  })
  check(client_id ~= nil, 'the client starts')
  local client = vim.lsp.get_client_by_id(client_id)

  local function open(path)
    vim.cmd('edit ' .. vim.fn.fnameescape(path))
    local buf = vim.api.nvim_get_current_buf()
    vim.lsp.buf_attach_client(buf, client_id)
    return buf, vim.uri_from_fname(path)
  end
  local function wait_diags(uri)
    return vim.wait(20000, function() return received[uri] ~= nil end, 20)
  end
  local function request(method, params, buf)
    local resp, e = client.request_sync(method, params, 20000, buf)
    check(resp ~= nil and resp.err == nil,
          method .. ' answers: ' .. vim.inspect(e or (resp and resp.err)))
    return resp and resp.result
  end

  -- 1. Three mistakes: the same diagnostics as `vigil check`.
  local three = dir .. '/three_mistakes.vgl'
  local buf, uri = open(three)
  check(wait_diags(uri), 'diagnostics arrive for three_mistakes.vgl')
  local expected = {}
  local out = vim.fn.system({ vigil, 'check', three })
  for line, col, code, msg in out:gmatch('[^\n]*:(%d+):(%d+): error%[(%u%d+)%]: ([^\n]*)') do
    table.insert(expected, { line = tonumber(line) - 1, col = tonumber(col) - 1, code = code, msg = msg })
  end
  check(#expected == 3, 'vigil check reports three errors, got ' .. #expected)
  local got = vim.diagnostic.get(buf)
  table.sort(got, function(a, b) return a.lnum < b.lnum end)
  check(#got == #expected, string.format('neovim shows %d diagnostics, vigil check %d', #got, #expected))
  for i, e in ipairs(expected) do
    local g = got[i] or {}
    check(g.lnum == e.line and g.col == e.col, string.format('diagnostic %d at %s:%s, expected %d:%d',
          i, tostring(g.lnum), tostring(g.col), e.line, e.col))
    check(g.message == e.msg, string.format('diagnostic %d message %q, expected %q', i, tostring(g.message), e.msg))
    local code = g.user_data and g.user_data.lsp and g.user_data.lsp.code
    check(code == e.code, string.format('diagnostic %d code %s, expected %s', i, tostring(code), e.code))
  end

  -- 2. Non-ASCII text before the error: the column is in UTF-16 units.
  local ubuf, uuri = open(dir .. '/unicode.vgl')
  check(wait_diags(uuri), 'diagnostics arrive for unicode.vgl')
  local ud = received[uuri] or {}
  check(#ud == 1, 'one diagnostic in unicode.vgl')
  local text = vim.api.nvim_buf_get_lines(ubuf, 10, 11, false)[1]
  local byte = text:find('amout', 1, true) - 1
  local _, utf16 = vim.str_utfindex(text, byte)
  check(ud[1] and ud[1].range.start.character == utf16,
        string.format('UTF-16 column %s, expected %d', ud[1] and ud[1].range.start.character, utf16))
  check(utf16 ~= byte, 'the line has multi-byte text before the error')

  -- 3. Hover on a field shows its type and the comment beside it.
  local mbuf, muri = open(dir .. '/multi/main.vgl')
  check(wait_diags(muri), 'diagnostics arrive for main.vgl')
  check(#(received[muri] or { 1 }) == 0, 'main.vgl is clean')
  local lines = vim.api.nvim_buf_get_lines(mbuf, 0, -1, false)
  local by_line, when_line
  for i, l in ipairs(lines) do
    if l:find('count%(by: card_id') then by_line = i - 1 end
    if l:find('when small_amount') then when_line = i - 1 end
  end
  local by_col = lines[by_line + 1]:find('card_id', 1, true) - 1
  local hover = request('textDocument/hover',
                        { textDocument = { uri = muri }, position = { line = by_line, character = by_col + 1 } }, mbuf)
  local value = hover and hover.contents and hover.contents.value or ''
  check(value:find('field card_id: string @key', 1, true) ~= nil, 'hover shows the field: ' .. value)
  check(value:find("the card's token", 1, true) ~= nil, 'hover shows the schema comment: ' .. value)

  -- 4. Completion inside by: offers the key field only; elsewhere the let.
  local comp = request('textDocument/completion',
                       { textDocument = { uri = muri }, position = { line = by_line, character = by_col } }, mbuf)
  local labels = {}
  for _, item in ipairs(comp and comp.items or {}) do table.insert(labels, item.label) end
  check(#labels == 1 and labels[1] == 'card_id', 'by: completes key fields only: ' .. table.concat(labels, ' '))
  local when_col = lines[when_line + 1]:find('small_amount', 1, true) - 1
  comp = request('textDocument/completion',
                 { textDocument = { uri = muri }, position = { line = when_line, character = when_col } }, mbuf)
  local has_let = false
  for _, item in ipairs(comp and comp.items or {}) do has_let = has_let or item.label == 'small_amount' end
  check(has_let, 'completion offers the let small_amount')

  -- 5. Rename the let across main.vgl and shared.vgl.
  local edit = request('textDocument/rename', { textDocument = { uri = muri },
                       position = { line = when_line, character = when_col + 2 }, newName = 'small_payment' }, mbuf)
  check(edit ~= nil, 'rename returns an edit')
  if edit then vim.lsp.util.apply_workspace_edit(edit, 'utf-16') end
  local main_text = table.concat(vim.api.nvim_buf_get_lines(mbuf, 0, -1, false), '\n')
  check(main_text:find('when small_payment and', 1, true) ~= nil, 'main.vgl uses the new name')
  local sbuf = vim.fn.bufnr(dir .. '/multi/shared.vgl')
  local shared_text = table.concat(vim.api.nvim_buf_get_lines(sbuf, 0, -1, false), '\n')
  check(shared_text:find('let small_payment = amount < SMALL', 1, true) ~= nil, 'shared.vgl declares the new name')
  check(shared_text:find('small_amount', 1, true) == nil, 'the old name is gone from shared.vgl')

  -- 6. Formatting gives what `vigil fmt` writes.
  local fbuf = open(dir .. '/messy.vgl')
  local edits = request('textDocument/formatting', { textDocument = { uri = vim.uri_from_bufnr(fbuf) },
                        options = { tabSize = 2, insertSpaces = true } }, fbuf)
  check(edits ~= nil and #edits > 0, 'formatting returns edits')
  if edits then vim.lsp.util.apply_text_edits(edits, fbuf, 'utf-16') end
  local formatted = table.concat(vim.api.nvim_buf_get_lines(fbuf, 0, -1, false), '\n') .. '\n'
  local copy = dir .. '/messy_fmt.vgl'
  vim.fn.writefile(vim.fn.readfile(dir .. '/messy.vgl', 'b'), copy, 'b')
  vim.fn.system({ vigil, 'fmt', copy })
  local want = table.concat(vim.fn.readfile(copy), '\n') .. '\n'
  check(formatted == want, 'the buffer is formatted as vigil fmt formats:\n' .. formatted .. '\nvs\n' .. want)

  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
end)
if not ok then
  failures = failures + 1
  io.stderr:write('FAIL: error in the test: ' .. tostring(err) .. '\n')
end
finish()
