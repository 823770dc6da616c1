import { NotFoundException } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { demoAssetMissing } from './demo.messages.js';

/** Built by `npm run build` (scripts/build-client.mjs) beside the compiled gateway. */
const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

/** A file of the gateway's pages (the demo, the cluster page); 404 when it was not built. */
export async function readPublicFile(file: string): Promise<Buffer> {
  try {
    return await readFile(PUBLIC_DIR + file);
  } catch {
    throw new NotFoundException(demoAssetMissing(file));
  }
}

/** `text` safe inside HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
