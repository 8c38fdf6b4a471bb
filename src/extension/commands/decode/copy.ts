import * as vscode from 'vscode';
import { FieldNode, ItemNode } from '../../views/nodes';

/** Copies a field's value (tree context menu). */
export async function copyValue(node?: FieldNode): Promise<string | undefined> {
  if (!(node instanceof FieldNode)) return undefined;
  await vscode.env.clipboard.writeText(node.field.value);
  return node.field.value;
}

/** Copies a certificate as PEM (tree context menu). */
export async function copyPem(node?: ItemNode): Promise<string | undefined> {
  if (!(node instanceof ItemNode) || node.item.kind !== 'certificate') return undefined;
  await vscode.env.clipboard.writeText(node.item.pem);
  return node.item.pem;
}
