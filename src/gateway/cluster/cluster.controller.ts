import { Controller, Get, Inject, NotFoundException, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import Negotiator from 'negotiator';
import type { GatewayConfig } from '../../config/gateway.config.js';
import { Rebalancer } from '../../sse/internals.js';
import { notServed } from '../demo/demo.messages.js';
import { escapeHtml, readPublicFile } from '../demo/public-files.js';
import { ApiClusterRoutes, ApiClusterView } from '../docs/gateway-api.decorator.js';
import { GATEWAY_CONFIG } from '../gateway.tokens.js';
import { clusterView } from './cluster-view.js';

/** What `/cluster` answers, best first when a client accepts both equally (curl's `*\/*`: JSON). */
const CLUSTER_TYPES = ['application/json', 'text/html'];

/**
 * `GET /cluster`: the live instances, the streams each holds, its delivery rate and lag, as
 * this instance sees them. JSON for programs (`ClusterView`), a page that follows it live for
 * a browser (`Accept: text/html`; off with `SSE_DEMO=false`, while the JSON stays: operations
 * read it).
 */
@Controller('cluster')
@ApiClusterRoutes()
export class ClusterController {
  constructor(
    private readonly rebalancer: Rebalancer,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @ApiClusterView()
  async view(@Req() request: Request, @Res() response: Response): Promise<void> {
    response.setHeader('Vary', 'Accept');
    response.setHeader('Cache-Control', 'no-cache');
    if (new Negotiator(request).mediaType(CLUSTER_TYPES) !== 'text/html') {
      response.status(200).json(clusterView(this.rebalancer.view()));
      return;
    }
    if (!this.config.server.demo) throw new NotFoundException(notServed(request.method, request.path));
    const html = await readPublicFile('cluster.html');
    response.status(200).type('text/html; charset=utf-8');
    response.send(html.toString('utf8').replaceAll('{{instance}}', escapeHtml(this.config.instanceId)));
  }
}
