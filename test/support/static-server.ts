import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a path answers: a status, a content type and a body. */
export interface StaticFile {
  readonly type: string;
  readonly body: string | Buffer;
}

export interface StaticServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A plain HTTP server on a free loopback port answering fixed paths (404 otherwise): an
 * application's own origin, serving a page that talks to a gateway on another origin.
 */
export async function startStaticServer(files: (path: string) => StaticFile | undefined): Promise<StaticServer> {
  const server = http.createServer((request, response) => {
    const file = files(new URL(request.url ?? '/', 'http://x').pathname);
    if (!file) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
