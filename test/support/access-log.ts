/** One request as the gateway's access log (`SSE_ACCESS_LOG=true`) wrote it, when it ended. */
export interface AccessEntry {
  readonly method: string;
  /** The URL with tokens redacted (`token=[REDACTED]`). */
  readonly url: string;
  readonly path: string;
  readonly status: number;
}

const LINE = /\[Access\] \S+ ([A-Z]+) (\S+) (\d+) \d+ms/;

/** The access log lines in a gateway process's output, oldest first. */
export function accessLog(output: string): AccessEntry[] {
  const entries: AccessEntry[] = [];
  for (const line of output.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    const url = match[2]!;
    entries.push({ method: match[1]!, url, path: url.split('?')[0]!, status: Number(match[3]) });
  }
  return entries;
}

/** `METHOD path status` of each entry (what a test compares), filtered to paths that `keep` accepts. */
export function requestLines(output: string, keep: (entry: AccessEntry) => boolean = () => true): string[] {
  return accessLog(output)
    .filter(keep)
    .map((e) => `${e.method} ${e.path} ${e.status}`);
}
