/**
 * @module test/docker-context — replays a .dockerignore and a Dockerfile's COPY lines on
 * a folder, without Docker: which files the build context holds, and which files each
 * stage (the final one above all) ends up with. Used by image.test.ts.
 *
 * .dockerignore semantics as in moby/patternmatcher: patterns in order, the last one
 * that matches decides (`!` re-includes); a pattern matching a parent folder matches
 * everything below it; `**` spans folders, `*` and `?` do not cross a `/`.
 */
import { readdirSync } from 'node:fs';
import { join, posix } from 'node:path';

interface Rule {
  exclude: boolean;
  re: RegExp;
}

export function parseDockerignore(text: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const exclude = !line.startsWith('!');
    const pattern = posix
      .normalize((exclude ? line : line.slice(1)).replace(/^\/+/, ''))
      .replace(/\/+$/, '');
    let re = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (c === '*' && pattern[i + 1] === '*') {
        // '**/' = any number of folders (zero included); a trailing '**' = anything
        if (pattern[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else if (c === '*') re += '[^/]*';
      else if (c === '?') re += '[^/]';
      else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    rules.push({ exclude, re: new RegExp(`^${re}$`) });
  }
  return rules;
}

/** True when `file` (relative, '/'-separated) is in the build context. */
export function inContext(rules: Rule[], file: string): boolean {
  const parts = file.split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let excluded = false;
  for (const r of rules) {
    if (prefixes.some((p) => r.re.test(p))) excluded = r.exclude;
  }
  return !excluded;
}

/** Every file below `root` (relative paths), skipping the folders in `skip`. */
export function walk(root: string, skip: (rel: string) => boolean, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (skip(p)) continue;
    if (e.isDirectory()) out.push(...walk(root, skip, p));
    else out.push(p);
  }
  return out;
}

export interface Stage {
  name: string;
  from: string;
  /** Absolute path in the image → where it came from (`context:<path>`, `run:<cmd>`…). */
  files: Map<string, string>;
  cmd: string | null;
  runs: string[];
}

/**
 * Replays a Dockerfile: FROM/ARG/WORKDIR/COPY/RUN/CMD. `context` is the filtered build
 * context; `runEffect(cmd, stage)` says which files a RUN line creates (the caller knows
 * what `npm run build` writes); an unknown instruction throws, so the model cannot drift
 * silently from the file it checks.
 */
export function replayDockerfile(
  text: string,
  context: string[],
  runEffect: (cmd: string) => Map<string, string>,
): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  let workdir = '/';
  const abs = (p: string) => posix.resolve(workdir, p);
  for (const line of lines) {
    const [op, ...rest] = line.split(/\s+/);
    const arg = rest.join(' ');
    const stage = stages.at(-1);
    switch (op!.toUpperCase()) {
      case 'ARG': {
        const [k, v = ''] = arg.split(/=(.*)/s);
        args.set(k!, v);
        break;
      }
      case 'FROM': {
        const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(arg)!;
        const from = m[1]!.replace(/\$\{(\w+)\}/g, (_, k) => args.get(k) ?? '');
        const base = stages.find((s) => s.name === from);
        stages.push({
          name: m[2] ?? `stage${stages.length}`,
          from,
          files: new Map(base?.files ?? []),
          cmd: null,
          runs: [],
        });
        workdir = '/';
        break;
      }
      case 'WORKDIR':
        workdir = abs(arg);
        break;
      case 'ENV':
      case 'USER':
      case 'EXPOSE':
      case 'HEALTHCHECK':
        break;
      case 'CMD':
        stage!.cmd = arg;
        break;
      case 'RUN':
        stage!.runs.push(arg);
        for (const [p, o] of runEffect(arg)) stage!.files.set(abs(p), o);
        break;
      case 'COPY': {
        const words = rest.filter((w) => !w.startsWith('--'));
        const fromFlag = rest.find((w) => w.startsWith('--from='))?.slice(7);
        const dest = abs(words.at(-1)!);
        for (const src of words.slice(0, -1)) {
          if (fromFlag) {
            const other = stages.find((s) => s.name === fromFlag);
            if (!other) throw new Error(`COPY --from=${fromFlag}: no such stage`);
            const root = posix.resolve('/', src);
            for (const [p, o] of other.files) {
              if (p === root || p.startsWith(`${root}/`)) {
                stage!.files.set(posix.join(dest, p.slice(root.length)), o);
              }
            }
          } else {
            const root = posix.normalize(src).replace(/^\.\/?/, '');
            for (const f of context) {
              if (root === '' || f === root || f.startsWith(`${root}/`)) {
                const tail = root === '' ? f : f.slice(root.length).replace(/^\//, '');
                stage!.files.set(posix.join(dest, tail || posix.basename(f)), `context:${f}`);
              }
            }
          }
        }
        break;
      }
      default:
        throw new Error(`Dockerfile instruction not modelled: ${op}`);
    }
  }
  return stages;
}
