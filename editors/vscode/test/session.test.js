// A whole editing session against `vigil lsp`, driven by the protocol
// library VS Code's client is built on (vscode-languageserver-protocol):
// initialize, open, change, diagnostics, completion, definition,
// references, rename, shutdown. Run by ctest (tests/lsp) as
//   VIGIL=build/vigil node --test editors/vscode/test/
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter,
  InitializeRequest, InitializedNotification, DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification, PublishDiagnosticsNotification, CompletionRequest,
  DefinitionRequest, ReferencesRequest, RenameRequest, ShutdownRequest, ExitNotification,
} = require('vscode-languageserver-protocol/node');

const vigil = process.env.VIGIL;
const repo = path.resolve(__dirname, '..', '..', '..');
const data = path.join(repo, 'tests', 'lsp', 'data', 'multi');

test('a session: open, change, diagnostics, completion, navigation, rename', async (t) => {
  assert.ok(vigil, 'set VIGIL to the vigil binary');
  const server = spawn(vigil, ['lsp'], { cwd: data, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
  const connection = createProtocolConnection(new StreamMessageReader(server.stdout),
                                              new StreamMessageWriter(server.stdin));
  const diagnostics = new Map();
  const waiters = [];
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    diagnostics.set(p.uri, p);
    for (const w of waiters.splice(0)) w();
  });
  const nextDiagnostics = (uri, pred) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no diagnostics for ' + uri)), 20000);
    const check = () => {
      const p = diagnostics.get(uri);
      if (p && pred(p)) { clearTimeout(timer); resolve(p); } else waiters.push(check);
    };
    check();
  });
  connection.listen();

  const root = pathToFileURL(data).href;
  const init = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid, rootUri: root, capabilities: {}, workspaceFolders: null,
  });
  assert.strictEqual(init.serverInfo.name, 'vigil');
  assert.strictEqual(init.capabilities.renameProvider.prepareProvider, true);
  await connection.sendNotification(InitializedNotification.type, {});

  const mainPath = path.join(data, 'main.vgl');
  const main = pathToFileURL(mainPath).href;
  const sharedUri = pathToFileURL(path.join(data, 'shared.vgl')).href;
  const text = fs.readFileSync(mainPath, 'utf8');
  await connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri: main, languageId: 'vigil', version: 1, text },
  });
  const clean = await nextDiagnostics(main, (p) => p.version === 1);
  assert.deepStrictEqual(clean.diagnostics, []);

  // Type a mistake: "small_amount" becomes "small_amout" (line 9, 0-based).
  const line = text.split('\n').findIndex((l) => l.includes('when small_amount'));
  const col = text.split('\n')[line].indexOf('small_amount') + 'small_amou'.length;
  await connection.sendNotification(DidChangeTextDocumentNotification.type, {
    textDocument: { uri: main, version: 2 },
    contentChanges: [{ range: { start: { line, character: col }, end: { line, character: col + 1 } }, text: '' }],
  });
  const broken = await nextDiagnostics(main, (p) => p.version === 2);
  assert.strictEqual(broken.diagnostics.length, 1);
  assert.strictEqual(broken.diagnostics[0].code, 'E2001');
  assert.strictEqual(broken.diagnostics[0].message, "unknown name 'small_amout'");
  assert.deepStrictEqual(broken.diagnostics[0].range.start, { line, character: col - 'small_amou'.length });

  // Undo it.
  await connection.sendNotification(DidChangeTextDocumentNotification.type, {
    textDocument: { uri: main, version: 3 },
    contentChanges: [{ text }],
  });
  assert.deepStrictEqual((await nextDiagnostics(main, (p) => p.version === 3)).diagnostics, []);

  // Completion inside `by:` offers key fields only.
  const byLine = text.split('\n').findIndex((l) => l.includes('count(by: card_id'));
  const byCol = text.split('\n')[byLine].indexOf('card_id');
  const keys = await connection.sendRequest(CompletionRequest.type, {
    textDocument: { uri: main }, position: { line: byLine, character: byCol },
  });
  assert.deepStrictEqual(keys.items.map((i) => i.label), ['card_id']);
  // Elsewhere: fields, lets, params, functions, keywords.
  const all = await connection.sendRequest(CompletionRequest.type, {
    textDocument: { uri: main }, position: { line, character: col - 'small_amou'.length },
  });
  const labels = all.items.map((i) => i.label);
  for (const want of ['amount', 'small_amount', 'SMALL', 'HIGH_RISK_MCC', 'WATCH', 'lower', 'count', 'review', 'and']) {
    assert.ok(labels.includes(want), `completion lacks ${want}`);
  }

  // Definition of the let, in the imported file.
  const letCol = text.split('\n')[line].indexOf('small_amount') + 2;
  const def = await connection.sendRequest(DefinitionRequest.type, {
    textDocument: { uri: main }, position: { line, character: letCol },
  });
  assert.strictEqual(def.uri, sharedUri);
  assert.deepStrictEqual(def.range, { start: { line: 10, character: 4 }, end: { line: 10, character: 16 } });

  // References: the declaration and the use.
  const refs = await connection.sendRequest(ReferencesRequest.type, {
    textDocument: { uri: main }, position: { line, character: letCol }, context: { includeDeclaration: true },
  });
  assert.deepStrictEqual(refs.map((r) => r.uri).sort(), [main, sharedUri].sort());

  // Rename across the two files.
  const edit = await connection.sendRequest(RenameRequest.type, {
    textDocument: { uri: main }, position: { line, character: letCol }, newName: 'small_payment',
  });
  assert.deepStrictEqual(Object.keys(edit.changes).sort(), [main, sharedUri].sort());
  for (const uri of [main, sharedUri]) {
    assert.strictEqual(edit.changes[uri].length, 1);
    assert.strictEqual(edit.changes[uri][0].newText, 'small_payment');
  }
  // A clash is refused.
  await assert.rejects(connection.sendRequest(RenameRequest.type, {
    textDocument: { uri: main }, position: { line, character: letCol }, newName: 'amount',
  }), /already declared/);

  await connection.sendRequest(ShutdownRequest.type);
  await connection.sendNotification(ExitNotification.type);
  assert.strictEqual(await exited, 0);
  connection.dispose();
});
