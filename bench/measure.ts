/**
 * Runs a command as a child and measures it the way the kernel sees it: wall time (median and minimum of
 * `n` runs) and the largest peak RSS (wait4's ru_maxrss), with its stdout and stderr of the last run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measured {
  medianMs: number;
  minMs: number;
  maxRssKiB: number;
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command `n` times; median wall time (ms) and the largest peak RSS (KiB), measured by the kernel (wait4). */
export function measure(cmd: string[], n: number, env: NodeJS.ProcessEnv = process.env): Measured {
  const py = `
import os, sys, time, json
cmd = json.loads(sys.argv[1]); n = int(sys.argv[2]); out = sys.argv[3]
times = []; rss = 0
for i in range(n):
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC); os.dup2(fd, 1)
        fd2 = os.open(out + '.err', os.O_WRONLY | os.O_CREAT | os.O_TRUNC); os.dup2(fd2, 2)
        os.execvp(cmd[0], cmd)
    _, status, ru = os.wait4(pid, 0)
    times.append((time.perf_counter() - t) * 1000); rss = max(rss, ru.ru_maxrss)
times.sort()
print(json.dumps({"median": times[len(times)//2], "min": times[0], "rss": rss, "status": os.waitstatus_to_exitcode(status)}))
`;
  const out = join(mkdtempSync(join(tmpdir(), 'multical-bench-')), 'out');
  const r = spawnSync('python3', ['-c', py, JSON.stringify(cmd), String(n), out], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`measure failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout) as { median: number; min: number; rss: number; status: number };
  return {
    medianMs: j.median,
    minMs: j.min,
    maxRssKiB: j.rss,
    status: j.status,
    stdout: readFileSync(out, 'utf8'),
    stderr: readFileSync(out + '.err', 'utf8'),
  };
}
