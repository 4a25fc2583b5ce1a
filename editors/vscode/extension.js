// The vigil extension: starts `vigil lsp` for .vgl files and connects VS
// Code's language client to it. Everything else (diagnostics, hover,
// completion, rename, formatting, code lenses) comes from the server.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('vigil');
  const command = config.get('path') || 'vigil';
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  const run = {
    command,
    args: ['lsp'],
    transport: TransportKind.stdio,
    options: folder ? { cwd: folder.uri.fsPath } : {},
  };
  client = new LanguageClient('vigil', 'vigil language server', { run, debug: run }, {
    documentSelector: [{ scheme: 'file', language: 'vigil' }],
    synchronize: {
      // Lists and imported files edited outside the editor: check again.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.vgl,*.txt,pack.json}'),
    },
  });
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
