import * as vscode from 'vscode';
import type { DecodedFile, DecodedItem, DecodeError, Problem } from '../../core/x509';
import type { Field } from '../../core/certificateFields';

/** A workspace folder path (relative) that holds certificate files. */
export class FolderNode {
  readonly kind = 'folder';
  constructor(
    readonly label: string,
    readonly files: readonly vscode.Uri[],
  ) {}
}

/** One certificate/key file. */
export class FileNode {
  readonly kind = 'file';
  constructor(
    readonly resourceUri: vscode.Uri,
    readonly parent: FolderNode,
  ) {}
}

/** A certificate, key, CSR… inside a file. */
export class ItemNode {
  readonly kind = 'item';
  constructor(
    readonly resourceUri: vscode.Uri,
    readonly item: DecodedItem,
    readonly index: number,
    readonly file: DecodedFile,
    readonly parent: FileNode,
  ) {}
}

/** One field of an item (Subject, Validity, SANs…), possibly with sub-fields. */
export class FieldNode {
  readonly kind = 'field';
  constructor(
    readonly field: Field,
    readonly id: string,
    readonly parent: ItemNode | FieldNode,
  ) {}
}

/** A problem (expired, SHA-1…) or a decode error, shown with an icon. */
export class MessageNode {
  readonly kind = 'message';
  constructor(
    readonly message: Problem | DecodeError,
    readonly id: string,
    readonly parent: FileNode | ItemNode,
    readonly resourceUri?: vscode.Uri,
  ) {}
}

export type CertificateNode = FolderNode | FileNode | ItemNode | FieldNode | MessageNode;
