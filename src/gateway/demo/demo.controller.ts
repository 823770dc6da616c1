import { Controller, Get, Inject, NotFoundException, Param, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { GatewayConfig } from '../../config/gateway.config.js';
import { GATEWAY_CONFIG } from '../gateway.tokens.js';
import { DemoEnabledGuard } from './demo-enabled.guard.js';
import { escapeHtml, readPublicFile } from './public-files.js';

/**
 * What the gateway's pages load under /assets: the client's browser bundle, its worker, the
 * style both pages share, the demo page's own script and style, and the cluster page's
 * (`GET /cluster` as HTML).
 */
const ASSETS: Readonly<Record<string, string>> = {
  'pages.css': 'text/css; charset=utf-8',
  'sse-client.js': 'text/javascript; charset=utf-8',
  'shared-worker.js': 'text/javascript; charset=utf-8',
  'demo.js': 'text/javascript; charset=utf-8',
  'demo.css': 'text/css; charset=utf-8',
  'cluster.js': 'text/javascript; charset=utf-8',
  'cluster.css': 'text/css; charset=utf-8',
};

/**
 * The live demo at `/`: pick channels, watch events arrive with their ids, publish, see the
 * connection's state and instance. Plain HTML and CSS on top of the client's browser bundle.
 * Off with `SSE_DEMO=false` (404, as if the routes did not exist).
 */
@Controller()
@ApiExcludeController() // a page for people, not part of the API document
@UseGuards(DemoEnabledGuard)
export class DemoController {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  @Get()
  async page(@Res() response: Response): Promise<void> {
    const html = await readPublicFile('index.html');
    response.status(200).type('text/html; charset=utf-8').setHeader('Cache-Control', 'no-cache');
    response.send(html.toString('utf8').replaceAll('{{instance}}', escapeHtml(this.config.instanceId)));
  }

  @Get('assets/:file')
  async asset(@Param('file') file: string, @Res() response: Response): Promise<void> {
    const type = ASSETS[file];
    if (!type) throw new NotFoundException(`no asset ${file}`);
    const body = await readPublicFile(file);
    response.status(200).type(type).setHeader('Cache-Control', 'no-cache');
    response.send(body);
  }
}
