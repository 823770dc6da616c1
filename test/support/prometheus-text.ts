import { spawnSync } from 'node:child_process';
import http from 'node:http';

/**
 * Reads the Prometheus text format with the parser of the official Python client
 * (`prometheus_client.parser`, Debian's python3-prometheus-client, installed by
 * scripts/system-deps.sh): the format's reference implementation, which refuses malformed
 * text, rather than regular expressions of our own. (The npm parser
 * parse-prometheus-text-format merges every labelled histogram series into one.)
 */
const PYTHON = '/usr/bin/python3';
const PARSER = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
number = lambda v: v if math.isfinite(v) else str(v)
json.dump([
    {"name": f.name, "type": f.type, "help": f.documentation,
     "samples": [{"name": s.name, "labels": s.labels, "value": number(s.value)} for s in f.samples]}
    for f in text_string_to_metric_families(sys.stdin.read())
], sys.stdout)
`;

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  /** The family name (the Python parser drops a counter's `_total`; samples keep it). */
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped' | string;
  readonly help: string;
  readonly samples: readonly Sample[];
}

/** A parsed exposition, with exact look-ups: a sample is found only with exactly the labels given. */
export class Exposition {
  constructor(readonly families: readonly MetricFamily[]) {}

  static parse(text: string): Exposition {
    const run = spawnSync(PYTHON, ['-c', PARSER], { input: text, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.error) throw new Error(`${PYTHON} did not run (${run.error.message}): bash scripts/system-deps.sh installs python3-prometheus-client`);
    if (run.status !== 0) throw new Error(`the exposition does not parse:\n${run.stderr}`);
    const families = (JSON.parse(run.stdout) as MetricFamily[]).map((f) => ({
      ...f,
      samples: f.samples.map((s) => ({ ...s, value: Number(s.value) })),
    }));
    return new Exposition(families);
  }

  /** The family a sample name belongs to (`sse_streams_opened_total` -> its counter family). */
  familyOf(sampleName: string): MetricFamily {
    const family = this.families.find((f) => f.samples.some((s) => s.name === sampleName) || f.name === sampleName);
    if (!family) throw new Error(`no metric ${sampleName}; have ${this.families.map((f) => f.name).join(', ')}`);
    return family;
  }

  /** Samples named `name`, whatever their labels. */
  samples(name: string): Sample[] {
    return this.families.flatMap((f) => f.samples.filter((s) => s.name === name));
  }

  /** The value of sample `name` with exactly `labels`; throws when there is none. */
  value(name: string, labels: Record<string, string> = {}): number {
    const found = this.samples(name).find((s) => sameLabels(s.labels, labels));
    if (!found) {
      const have = this.samples(name).map((s) => JSON.stringify(s.labels)).join(' ');
      throw new Error(`no sample ${name}${JSON.stringify(labels)}; have: ${have || 'none'}`);
    }
    return found.value;
  }

  /** Label sets of sample `name`. */
  labelSets(name: string): Record<string, string>[] {
    return this.samples(name).map((s) => ({ ...s.labels }));
  }
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

export interface Scrape {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly text: string;
  /** Parsed when the answer is 200. */
  readonly exposition: Exposition | undefined;
}

/** `GET url` as Prometheus scrapes it, parsed. */
export function scrape(url: string): Promise<Scrape> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { accept: 'text/plain;version=0.0.4;q=0.9,*/*;q=0.1' } }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          try {
            const status = response.statusCode ?? 0;
            resolve({ status, contentType: response.headers['content-type'], text, exposition: status === 200 ? Exposition.parse(text) : undefined });
          } catch (error) {
            reject(error);
          }
        });
      })
      .on('error', reject);
  });
}
