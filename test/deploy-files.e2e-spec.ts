import dockerignoreModule from '@balena/dockerignore';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { freePort } from './support/ports.js';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { request } from './support/sse-client.js';

// No container engine runs here: these tests read the Dockerfile, docker-compose.yml and
// deploy/kubernetes/*.yaml with real parsers and check what they must hold, and run what can
// run without an engine (the health check commands, the compose nginx config through nginx -t,
// the probe paths and the ConfigMap's settings against the built gateway).

// A CommonJS package whose types declare an ES default export: under ESM the import is module.exports itself.
const dockerignore = dockerignoreModule as unknown as typeof dockerignoreModule.default;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const yaml = (file: string): any => parseYaml(read(file), { merge: true });

/** `SSE_DRAIN_MS` the gateway uses when nothing sets it (README: Configuration). */
const DEFAULT_DRAIN_MS = 5000;
/** On SIGTERM the gateway exits by itself at the latest this long after the drain window (src/main.ts). */
const SHUTDOWN_MARGIN_S = 5;

// ---------------------------------------------------------------------------------------
// Dockerfile

interface Stage {
  readonly name: string | null;
  readonly image: string;
  readonly instructions: Instruction[];
}

function dockerfileStages(): Stage[] {
  const dockerfile = DockerfileParser.parse(read('Dockerfile'));
  const args = new Map(dockerfile.getInitialARGs().map((a) => [a.getProperty()!.getName(), a.getProperty()!.getValue() ?? '']));
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = dockerfile.getFROMs().find((f) => f.getRange().start.line === instruction.getRange().start.line)!;
      const image = from.getImage()!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => args.get(a ?? b) ?? '');
      stages.push({ name: from.getBuildStage(), image, instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return stages;
}

const of = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.getKeyword() === keyword);
const runs = (stage: Stage) => of(stage, 'RUN').map((i) => i.getArgumentsContent() ?? '');
type Flagged = Instruction & { getFlags(): { getName(): string; getValue(): string | null }[] };
const flag = (instruction: Instruction, name: string) =>
  (instruction as Flagged).getFlags().find((f) => f.getName() === name)?.getValue() ?? undefined;
/** COPY instructions as `{ from, args }`: `from` is the stage (`--from=`), none for the build context. */
const copies = (stage: Stage) =>
  of(stage, 'COPY').map((c) => ({ from: flag(c, 'from'), args: c.getArguments().map((a) => a.getValue()) }));

/** The exec form of a Dockerfile `HEALTHCHECK CMD [...]`. */
function dockerHealthcheck(stage: Stage): { flags: Map<string, string>; command: string[] } {
  const [check] = of(stage, 'HEALTHCHECK') as Flagged[];
  if (!check) throw new Error('the runtime stage has no HEALTHCHECK');
  const content = check.getArgumentsContent()!;
  const json = content.slice(content.indexOf('CMD') + 3).trim();
  return { flags: new Map(check.getFlags().map((f) => [f.getName(), f.getValue() ?? ''])), command: JSON.parse(json) as string[] };
}

/** Runs a health check command as the container would (PORT set, cwd anywhere), returns its exit code. */
function runHealthcheck(command: readonly string[], port: number): number | null {
  const [binary, ...args] = command;
  expect(binary).toBe('node');
  const result = spawnSync(process.execPath, args, { cwd: tmpdir(), env: { PATH: process.env.PATH, PORT: String(port) }, timeout: 10_000 });
  return result.status;
}

// ---------------------------------------------------------------------------------------
// docker-compose.yml

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
  read_only?: boolean;
}

const seconds = (duration: string) => {
  const match = /^(\d+)(ms|s|m)$/.exec(duration);
  if (!match) throw new Error(`not a duration: ${duration}`);
  return Number(match[1]) * { ms: 0.001, s: 1, m: 60 }[match[2] as 'ms' | 's' | 'm'];
};

/** Renders the compose nginx config the way the container does, with `--render-only`. */
function renderComposeNginx(upstreams: string, output: string): void {
  const result = spawnSync('sh', [path.join(ROOT, 'deploy/compose/nginx-upstreams.sh'), '--render-only'], {
    env: { PATH: process.env.PATH, SSE_NGINX_TEMPLATE: path.join(ROOT, 'deploy/nginx/sse-gateway.conf'), SSE_NGINX_OUTPUT: output, SSE_GATEWAY_UPSTREAMS: upstreams },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`nginx-upstreams.sh failed:\n${result.stderr}`);
}

// ---------------------------------------------------------------------------------------
// Kubernetes

/** The ingress-nginx annotations this Ingress may use: its proxy group (internal/ingress/annotations/proxy/main.go). */
const INGRESS_NGINX_PROXY_ANNOTATIONS = new Set(
  [
    'proxy-connect-timeout', 'proxy-send-timeout', 'proxy-read-timeout', 'proxy-buffers-number', 'proxy-buffer-size',
    'proxy-busy-buffers-size', 'proxy-cookie-path', 'proxy-cookie-domain', 'proxy-body-size', 'proxy-next-upstream',
    'proxy-next-upstream-timeout', 'proxy-next-upstream-tries', 'proxy-request-buffering', 'proxy-redirect-from',
    'proxy-redirect-to', 'proxy-buffering', 'proxy-http-version', 'proxy-max-temp-file-size',
  ].map((name) => `nginx.ingress.kubernetes.io/${name}`),
);

function kubernetesResources(): any[] {
  const kustomization = yaml('deploy/kubernetes/kustomization.yaml');
  return (kustomization.resources as string[]).map((file) => yaml(`deploy/kubernetes/${file}`));
}

const byKind = (resources: any[], kind: string) => {
  const found = resources.filter((r) => r.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

// ---------------------------------------------------------------------------------------

describe('deploy files', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await startGatewayProcess({});
  });
  afterAll(async () => {
    await gateway?.kill();
  });

  describe('Dockerfile', () => {
    const stages = dockerfileStages();
    const build = stages.find((s) => s.name === 'build')!;
    const runtime = stages.at(-1)!;
    const pkg = JSON.parse(read('package.json'));

    it('builds in a stage with dev dependencies and runs from one with production dependencies only', () => {
      expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
      // Pinned to the Node major the project supports, a slim Debian image, never "latest".
      const nodeMajor = /(\d+)/.exec(pkg.engines.node)![1];
      for (const stage of stages) expect(stage.image).toBe(`node:${nodeMajor}-bookworm-slim`);

      expect(runs(build)).toContain('npm ci --no-audit --no-fund');
      expect(runs(build)).toContain('npm run build');

      const installs = runs(runtime).filter((r) => /npm (ci|install)/.test(r));
      expect(installs).toHaveLength(1);
      expect(installs[0]).toMatch(/^npm ci --omit=dev\b/);
      expect(runs(runtime).some((r) => /npm run build|tsc/.test(r))).toBe(false);
      expect(copies(runtime)).toEqual([
        { from: undefined, args: ['package.json', 'package-lock.json', './'] },
        { from: 'build', args: ['/app/dist', './dist'] },
      ]);
      expect(of(runtime, 'ENV').map((e) => e.getArgumentsContent())).toContain('NODE_ENV=production');
    });

    it('runs node dist/main.js as a non-root user, exposes 3000, stops with SIGTERM', () => {
      const users = of(runtime, 'USER').map((u) => u.getArgumentsContent()!);
      expect(users).toHaveLength(1);
      const [user, group] = users[0]!.split(':');
      expect(user).not.toMatch(/^(root|0)$/);
      expect(group ?? '').not.toMatch(/^(root|0)$/);
      // Numeric, so Kubernetes' runAsNonRoot can verify it; the same uid the Deployment runs as.
      expect(user).toMatch(/^[1-9]\d*$/);

      expect(of(runtime, 'EXPOSE').map((e) => e.getArgumentsContent())).toEqual(['3000']);
      expect(of(runtime, 'STOPSIGNAL').map((e) => e.getArgumentsContent())).toEqual(['SIGTERM']);
      expect(of(runtime, 'CMD').map((c) => JSON.parse(c.getArgumentsContent()!))).toEqual([['node', 'dist/main.js']]);
      expect(pkg.scripts['start:prod']).toBe('node dist/main.js');
    });

    it('HEALTHCHECK runs a command that exits 0 on the gateway\'s /health/live and 1 where nothing answers', async () => {
      const { flags, command } = dockerHealthcheck(runtime);
      expect(command.join(' ')).toContain('/health/live');
      expect(seconds(flags.get('timeout')!)).toBeLessThanOrEqual(seconds(flags.get('interval')!));
      expect(runHealthcheck(command, gateway.port)).toBe(0);
      expect((await request('GET', `${gateway.url}/health/live`)).status).toBe(200);
      expect(runHealthcheck(command, await freePort())).toBe(1);
    });

    it('.dockerignore lets in exactly what the Dockerfile copies from the build context', () => {
      const filter = dockerignore().add(read('.dockerignore').split('\n')).createFilter();
      const sources = stages
        .flatMap(copies)
        .filter((c) => c.from === undefined)
        .flatMap((c) => c.args.slice(0, -1));
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources) {
        expect(existsSync(path.join(ROOT, source))).toBe(true);
        expect({ source, included: filter(source) }).toEqual({ source, included: true });
      }
      expect(filter('src/main.ts')).toBe(true);
      for (const kept of ['node_modules/rxjs/package.json', 'dist/main.js', '.git/HEAD', '.env', 'test/health.e2e-spec.ts', 'src/main.spec.ts']) {
        expect({ kept, included: filter(kept) }).toEqual({ kept, included: false });
      }
    });
  });

  describe('docker-compose.yml', () => {
    const compose = yaml('docker-compose.yml') as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };
    const services = compose.services;
    const gateways = Object.entries(services).filter(([, s]) => s.build !== undefined);

    it('runs Redis with AOF (appendonly yes, appendfsync everysec) on a named volume', () => {
      const redis = services.redis!;
      expect(redis.image).toMatch(/^redis:7\.\d+/);
      expect(redis.command!.join(' ')).toMatch(/--appendonly yes/);
      expect(redis.command!.join(' ')).toMatch(/--appendfsync everysec/);
      const volume = redis.volumes!.find((v) => v.endsWith(':/data'))!;
      expect(volume).toBeDefined();
      expect(Object.keys(compose.volumes ?? {})).toContain(volume.split(':')[0]);
      expect(redis.healthcheck!.test).toEqual(['CMD', 'redis-cli', 'ping']);
    });

    it('runs three gateways on Redis, each with its own INSTANCE_ID, a readiness check and a stop grace above the drain', async () => {
      expect(gateways.map(([name]) => name)).toEqual(['gateway-1', 'gateway-2', 'gateway-3']);
      const ids = gateways.map(([, s]) => s.environment!.INSTANCE_ID);
      expect(new Set(ids).size).toBe(3);
      for (const [, service] of gateways) {
        expect(service.build).toBe('.');
        expect(new URL(service.environment!.REDIS_URL!).hostname).toBe('redis');
        expect(service.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
        const drainS = Number(service.environment!.SSE_DRAIN_MS ?? DEFAULT_DRAIN_MS) / 1000;
        expect(seconds(service.stop_grace_period!)).toBeGreaterThan(drainS + SHUTDOWN_MARGIN_S);
        expect(service.read_only).toBe(true);
      }
      // The check the gateways run is a real route of the gateway: exits 0 against it.
      const [, first] = gateways[0]!;
      const [kind, ...command] = first.healthcheck!.test;
      expect(kind).toBe('CMD');
      expect(command.join(' ')).toContain('/health/ready');
      expect(runHealthcheck(command, gateway.port)).toBe(0);
      expect((await request('GET', `${gateway.url}/health/ready`)).status).toBe(200);
    });

    it('runs nginx with the shipped deploy/nginx/sse-gateway.conf, its upstream the three gateways, once they are healthy', () => {
      const nginx = services.nginx!;
      expect(nginx.volumes).toContain('./deploy/nginx/sse-gateway.conf:/etc/nginx/sse/sse-gateway.conf:ro');
      expect(nginx.volumes).toContain('./deploy/compose/nginx-upstreams.sh:/etc/nginx/sse/nginx-upstreams.sh:ro');
      expect(nginx.command).toEqual(['/bin/sh', '/etc/nginx/sse/nginx-upstreams.sh']);
      expect(nginx.depends_on).toEqual(Object.fromEntries(gateways.map(([name]) => [name, { condition: 'service_healthy' }])));
      expect(nginx.healthcheck).toBeDefined();
      const upstreams = nginx.environment!.SSE_GATEWAY_UPSTREAMS!;
      expect(upstreams.split(/\s+/)).toEqual(gateways.map(([name, s]) => `${name}:${s.environment!.PORT ?? 3000}`));

      // What the container renders: the shipped file with only its server lines replaced.
      const dir = mkdtempSync(path.join(tmpdir(), 'sse-compose-'));
      try {
        renderComposeNginx(upstreams, path.join(dir, 'default.conf'));
        const shipped = read('deploy/nginx/sse-gateway.conf').split('\n');
        const rendered = readFileSync(path.join(dir, 'default.conf'), 'utf8').split('\n');
        const isServer = (line: string) => /^\s*server [^\s{]+ /.test(line);
        expect(rendered.filter((l) => !isServer(l))).toEqual(shipped.filter((l) => !isServer(l)));
        expect(rendered.filter(isServer)).toEqual(gateways.map(([name]) => `    server ${name}:3000 max_fails=1 fail_timeout=2s;`));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('renders an nginx config that nginx accepts (nginx -t)', () => {
      const binary = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
      try {
        accessSync(binary, constants.X_OK);
      } catch {
        throw new Error(`nginx is required for this test and was not found at ${binary}: apt-get install -y nginx`);
      }
      const prefix = mkdtempSync(path.join(tmpdir(), 'sse-compose-nginx-'));
      try {
        for (const dir of ['logs', 'tmp']) mkdirSync(path.join(prefix, dir));
        // Loopback upstreams: nginx -t resolves every server name, and gateway-1 exists only in Compose.
        renderComposeNginx('127.0.0.1:3001 127.0.0.1:3002 127.0.0.1:3003', path.join(prefix, 'site.conf'));
        writeFileSync(
          path.join(prefix, 'nginx.conf'),
          [
            `pid ${prefix}/nginx.pid;`,
            `error_log ${prefix}/logs/error.log warn;`,
            'events {}',
            'http {',
            ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${prefix}/tmp/${t};`),
            `  include ${prefix}/site.conf;`,
            '}',
          ].join('\n'),
        );
        const check = spawnSync(binary, ['-t', '-p', prefix, '-c', path.join(prefix, 'nginx.conf')], { encoding: 'utf8' });
        expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: expect.stringMatching(/test is successful/) });
      } finally {
        rmSync(prefix, { recursive: true, force: true });
      }
    });
  });

  describe('Kubernetes (deploy/kubernetes, kustomize)', () => {
    const resources = kubernetesResources();
    const deployment = byKind(resources, 'Deployment');
    const configMap = byKind(resources, 'ConfigMap');
    const podSpec = deployment.spec.template.spec;
    const container = podSpec.containers[0];
    const podLabels: Record<string, string> = deployment.spec.template.metadata.labels;
    const env = new Map<string, any>(container.env.map((e: any) => [e.name, e]));
    const drainMs = Number(configMap.data.SSE_DRAIN_MS ?? DEFAULT_DRAIN_MS);

    it('lists every manifest in kustomization.yaml, and keeps the example Secret out of it', () => {
      expect(resources.map((r) => r.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Ingress', 'PodDisruptionBudget', 'Service']);
      expect(yaml('deploy/kubernetes/kustomization.yaml').resources).not.toContain('secret.example.yaml');
      expect(yaml('deploy/kubernetes/kustomization.yaml').images.map((i: any) => i.name)).toContain(container.image.split(':')[0]);
    });

    it('runs 3 replicas whose selector matches their labels, spread one pod at a time', () => {
      expect(deployment.spec.replicas).toBe(3);
      expect(selects(deployment.spec.selector.matchLabels, podLabels)).toBe(true);
      expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    });

    it('gives the pod more time than the preStop pause plus the drain plus the gateway\'s own shutdown margin', () => {
      const preStop: string[] = container.lifecycle.preStop.exec.command;
      expect(preStop[0]).toBe('sleep');
      const pauseS = Number(preStop[1]);
      expect(pauseS).toBeGreaterThanOrEqual(3);
      expect(podSpec.terminationGracePeriodSeconds).toBeGreaterThan(pauseS + drainMs / 1000 + SHUTDOWN_MARGIN_S);
    });

    it('probes liveness on /health/live and readiness on /health/ready, routes the built gateway answers 200 on with the ConfigMap and Secret', async () => {
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      // The readiness PING waits up to SSE_PUBLISH_TIMEOUT_MS: the probe must wait longer.
      expect(container.readinessProbe.timeoutSeconds * 1000).toBeGreaterThan(Number(configMap.data.SSE_PUBLISH_TIMEOUT_MS ?? 2000));
      const port = container.ports.find((p: any) => p.name === 'http');
      expect(port.containerPort).toBe(Number(configMap.data.PORT));
      expect(port.containerPort).toBe(3000); // the image's EXPOSE

      // The pod's environment: the ConfigMap, the example Secret's key, the pod name; Redis and
      // the port are this machine's.
      const secret = parseYaml(read('deploy/kubernetes/secret.example.yaml'));
      const ref = env.get('SSE_JWT_SECRET').valueFrom.secretKeyRef;
      let redis: RedisServer | undefined;
      let pod: GatewayProcess | undefined;
      try {
        redis = await startRedis();
        const podPort = await freePort();
        pod = await startGatewayProcess(
          {
            ...configMap.data,
            SSE_JWT_SECRET: secret.stringData[ref.key],
            INSTANCE_ID: 'sse-gateway-7d9c8b6f5-x2k4q',
            REDIS_URL: redis.url,
            HOST: '127.0.0.1',
            PORT: String(podPort),
          },
          { port: podPort },
        );
        expect(pod.output()).not.toMatch(/AUTHORIZATION OFF/);
        for (const probe of [container.livenessProbe, container.readinessProbe]) {
          const answer = await request('GET', `${pod.url}${probe.httpGet.path}`);
          expect({ path: probe.httpGet.path, status: answer.status }).toEqual({ path: probe.httpGet.path, status: 200 });
        }
      } finally {
        await pod?.kill();
        await redis?.stop();
      }
    });

    it('takes the JWT key from a Secret, INSTANCE_ID from the pod name, settings from the ConfigMap', () => {
      const secret = parseYaml(read('deploy/kubernetes/secret.example.yaml'));
      expect(secret.kind).toBe('Secret');
      const ref = env.get('SSE_JWT_SECRET').valueFrom.secretKeyRef;
      expect(ref.name).toBe(secret.metadata.name);
      expect(Object.keys(secret.stringData)).toContain(ref.key);
      expect(Buffer.byteLength(secret.stringData[ref.key])).toBeGreaterThanOrEqual(32);
      expect(configMap.data.SSE_JWT_SECRET).toBeUndefined();
      expect(env.get('INSTANCE_ID').valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
      expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
      expect(Number(configMap.data.SSE_MAX_CONNECTIONS)).toBeGreaterThanOrEqual(1000);
    });

    it('runs non-root on a read-only root filesystem without privilege escalation, with requests and limits', () => {
      expect(podSpec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
      expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'memory']);
    });

    it('has a PodDisruptionBudget and a Service selecting the Deployment\'s pods', () => {
      const pdb = byKind(resources, 'PodDisruptionBudget');
      expect(pdb.apiVersion).toBe('policy/v1');
      expect(selects(pdb.spec.selector.matchLabels, podLabels)).toBe(true);
      expect(pdb.spec.maxUnavailable ?? deployment.spec.replicas - pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);

      const service = byKind(resources, 'Service');
      expect(selects(service.spec.selector, podLabels)).toBe(true);
      expect(service.spec.ports.map((p: any) => p.targetPort)).toEqual(['http']);
    });

    it('has an ingress-nginx Ingress to the Service with buffering off, 3600 s timeouts and HTTP/1.1, using only real annotations', () => {
      const ingress = byKind(resources, 'Ingress');
      const service = byKind(resources, 'Service');
      expect(ingress.spec.ingressClassName).toBe('nginx');
      const annotations: Record<string, string> = ingress.metadata.annotations;
      expect(annotations).toMatchObject({
        'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
        'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
        'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
        'nginx.ingress.kubernetes.io/proxy-http-version': '1.1',
      });
      // ingress-nginx ignores an annotation it does not know, silently: every one must be real.
      for (const name of Object.keys(annotations)) expect({ name, known: INGRESS_NGINX_PROXY_ANNOTATIONS.has(name) }).toEqual({ name, known: true });
      // Annotation values are strings (ingress-nginx parses them), timeouts whole seconds above the heartbeat.
      expect(Object.values(annotations).every((v) => typeof v === 'string')).toBe(true);
      expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']) * 1000).toBeGreaterThan(Number(configMap.data.SSE_HEARTBEAT_MS ?? 15_000));

      const backends = ingress.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.backend.service));
      expect(backends).toEqual([{ name: service.metadata.name, port: { name: 'http' } }]);
      expect(service.spec.ports.map((p: any) => p.name)).toContain('http');
    });
  });
});
