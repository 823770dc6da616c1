import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { GatewayConfig } from '../../config/gateway.config.js';
import { GATEWAY_CONFIG } from '../gateway.tokens.js';
import { demoAssetMissing } from './demo.messages.js';

/** Built by `npm run build` (scripts/build-client.mjs) beside the compiled gateway. */
const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

/** What the demo serves under /assets: the client's browser bundle, its worker, the page's own script and style. */
const ASSETS: Readonly<Record<string, string>> = {
  'sse-client.js': 'text/javascript; charset=utf-8',
  'shared-worker.js': 'text/javascript; charset=utf-8',
  'demo.js': 'text/javascript; charset=utf-8',
  'demo.css': 'text/css; charset=utf-8',
};

/**
 * The live demo at `/`: pick channels, watch events arrive with their ids, publish, see the
 * connection's state and instance. Plain HTML and CSS on top of the client's browser bundle.
 */
@Controller()
@ApiExcludeController() // a page for people, not part of the API document
export class DemoController {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  @Get()
  async page(@Res() response: Response): Promise<void> {
    const html = await this.read('index.html');
    response.status(200).type('text/html; charset=utf-8').setHeader('Cache-Control', 'no-cache');
    response.send(html.toString('utf8').replaceAll('{{instance}}', escapeHtml(this.config.instanceId)));
  }

  @Get('assets/:file')
  async asset(@Param('file') file: string, @Res() response: Response): Promise<void> {
    const type = ASSETS[file];
    if (!type) throw new NotFoundException(`no asset ${file}`);
    const body = await this.read(file);
    response.status(200).type(type).setHeader('Cache-Control', 'no-cache');
    response.send(body);
  }

  private async read(file: string): Promise<Buffer> {
    try {
      return await readFile(PUBLIC_DIR + file);
    } catch {
      throw new NotFoundException(demoAssetMissing(file));
    }
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
