import * as vscode from 'vscode';

/** Shows a tree node's file in the Explorer. */
export async function revealInExplorer(target?: { resourceUri?: vscode.Uri } | vscode.Uri): Promise<void> {
  const uri = target instanceof vscode.Uri ? target : target?.resourceUri;
  if (uri) await vscode.commands.executeCommand('revealInExplorer', uri);
}
