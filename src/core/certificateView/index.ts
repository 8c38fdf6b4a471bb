/** What the Certificates view shows, as plain data: rows' labels, descriptions, tooltips, icons and facets. */
export { fileRow, folderDescription, type FileRow } from './fileRow';
export { itemRow, fieldRow, messageRow, type ItemRow, type FieldRow, type MessageRow } from './itemRow';
export { itemFields, type NamedFile } from './itemFields';
export type { RowIcon } from './rowIcon';
