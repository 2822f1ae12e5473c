/**
 * Where is a stuck worker stuck? The host's own inspector reaches into the
 * worker (the `NodeWorker` domain), enables its debugger and pauses it. V8
 * serves a pause request even inside `while (true) {}` or an endless
 * microtask loop, because the inspector interrupts the running JavaScript.
 * The paused call frames are then mapped back through each script's source
 * map (the lab bundle's `.map` file, tsx's inline maps) to `.ts` lines.
 *
 * Each call uses its own inspector session, so several stuck workers can be
 * examined at once, and disconnecting it detaches from every worker and
 * resumes the paused one (so `worker.terminate()` then works).
 */
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { SourceMap, type SourceMapPayload } from 'node:module';
import type { Worker } from 'node:worker_threads';
import type { StackFrame } from './locate.ts';

interface ScriptInfo {
  url: string;
  sourceMapURL: string;
}

interface CallFrame {
  functionName: string;
  url?: string;
  location: { scriptId: string; lineNumber: number; columnNumber?: number };
}

interface LoadedMap {
  map: SourceMap;
  sourceRoot: string;
  mapUrl: string;
}

/** A paused frame, mapped to its source where a source map says so; line and column 1-based. */
export interface PausedFrame extends StackFrame {
  functionName: string;
}

/** What a paused stuck worker showed. */
export interface StuckSnapshot {
  /** The call stack when paused, innermost first. */
  frames: PausedFrame[];
  /** V8 heap in use when paused, in bytes (a worker near its limit is drowning in GC, not looping). */
  heapUsedBytes?: number;
}

/**
 * Pauses `worker` and returns its call stack, mapped to sources, and its heap
 * use. Resolves within `timeoutMs`, with what arrived by then (possibly
 * `undefined`); never rejects.
 *
 * A pause that was requested must be answered by a resume while the session
 * is still connected: a worker that pauses after its inspector session went
 * away waits for a debugger forever, and then neither `terminate()` nor the
 * host's own exit can end it. So when time runs out first, the result is
 * resolved at once but the session stays open until the pause arrives (and is
 * resumed) or the worker exits.
 */
export function inspectStuckWorker(worker: Worker, timeoutMs: number): Promise<StuckSnapshot | undefined> {
  return new Promise((resolve) => {
    let session: Session;
    try {
      session = new Session();
      session.connect();
    } catch {
      resolve(undefined);
      return;
    }

    const title = `[worker ${worker.threadId}]`;
    const scripts = new Map<string, ScriptInfo>();
    let sessionId: string | undefined;
    let nextId = 1;
    let heapRequest = -1;
    let heapUsedBytes: number | undefined;
    let pauseRequested = false;
    let settled = false;
    let closed = false;

    const partial = (): StuckSnapshot | undefined => (heapUsedBytes === undefined ? undefined : { frames: [], heapUsedBytes });

    const settle = (snapshot: StuckSnapshot | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(snapshot);
      if (!pauseRequested) close();
    };

    const close = () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      clearTimeout(lastResort);
      worker.off('exit', onExit);
      try {
        // Detaches from every worker; a paused one that was sent its resume goes on.
        session.disconnect();
      } catch {
        // Already gone.
      }
    };

    const onExit = () => {
      settle(partial());
      close();
    };
    worker.once('exit', onExit);

    // Out of time (a worker deep in garbage collection answers late): keep what arrived.
    const timer = setTimeout(() => settle(partial()), timeoutMs);
    // Should neither the pause nor the exit ever come, resume blindly and let go.
    const lastResort = setTimeout(() => {
      send('Debugger.resume');
      close();
    }, Math.max(timeoutMs, 30_000));
    lastResort.unref();

    const send = (method: string, params: object = {}): number => {
      const id = nextId++;
      if (!sessionId || closed) return id;
      const message = JSON.stringify({ id, method, params });
      try {
        session.post('NodeWorker.sendMessageToWorker', { sessionId, message }, () => {});
      } catch {
        // The session or the worker is gone.
      }
      return id;
    };

    session.on('NodeWorker.attachedToWorker', ({ params }) => {
      const t = params.workerInfo.title;
      // Titles are `[worker <threadId>] <name>`; tsx's loader thread is a worker of its own.
      if (settled || sessionId || !(t === title || t.startsWith(title + ' '))) return;
      sessionId = params.sessionId;
      send('Debugger.enable');
      heapRequest = send('Runtime.getHeapUsage');
      pauseRequested = true;
      send('Debugger.pause');
    });

    session.on('NodeWorker.detachedFromWorker', ({ params }) => {
      if (params.sessionId !== sessionId) return;
      settle(partial());
      close();
    });

    session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
      if (params.sessionId !== sessionId) return;
      let message: { id?: number; method?: string; params?: Record<string, unknown>; result?: { usedSize?: number } };
      try {
        message = JSON.parse(params.message);
      } catch {
        return;
      }
      if (message.id === heapRequest) {
        heapUsedBytes = message.result?.usedSize;
      } else if (message.method === 'Debugger.scriptParsed') {
        const p = message.params as { scriptId: string; url: string; sourceMapURL?: string };
        if (p.url.startsWith('file:')) scripts.set(p.scriptId, { url: p.url, sourceMapURL: p.sourceMapURL ?? '' });
      } else if (message.method === 'Debugger.paused') {
        send('Debugger.resume');
        if (!settled) {
          let frames: PausedFrame[] = [];
          try {
            frames = mapFrames((message.params as { callFrames: CallFrame[] }).callFrames, scripts);
          } catch {
            // An unreadable map: no line, but the worker is still ended.
          }
          settle({ frames, ...(heapUsedBytes !== undefined && { heapUsedBytes }) });
        }
        close();
      }
    });

    try {
      session.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, (error) => {
        if (error) settle(undefined);
      });
    } catch {
      settle(undefined);
    }
  });
}

function mapFrames(callFrames: CallFrame[], scripts: Map<string, ScriptInfo>): PausedFrame[] {
  const maps = new Map<string, LoadedMap | undefined>();
  const frames: PausedFrame[] = [];
  for (const frame of callFrames) {
    const script = scripts.get(frame.location.scriptId);
    if (!script) continue;
    const line = frame.location.lineNumber;
    const column = frame.location.columnNumber ?? 0;
    if (!maps.has(script.url)) maps.set(script.url, loadSourceMap(script));
    const loaded = maps.get(script.url);
    const entry = loaded?.map.findEntry(line, column) as
      | { originalSource?: string; originalLine?: number; originalColumn?: number }
      | undefined;
    if (loaded && entry?.originalSource !== undefined && entry.originalLine !== undefined) {
      frames.push({
        functionName: frame.functionName,
        file: resolveSource(entry.originalSource, loaded),
        line: entry.originalLine + 1,
        column: (entry.originalColumn ?? 0) + 1,
      });
    } else {
      frames.push({ functionName: frame.functionName, file: script.url, line: line + 1, column: column + 1 });
    }
  }
  return frames;
}

/** The script's source map: a `data:` URL or a file beside the script. */
function loadSourceMap(script: ScriptInfo): LoadedMap | undefined {
  if (!script.sourceMapURL) return undefined;
  try {
    let text: string;
    let mapUrl: string;
    if (script.sourceMapURL.startsWith('data:')) {
      const comma = script.sourceMapURL.indexOf(',');
      const meta = script.sourceMapURL.slice(0, comma);
      const body = script.sourceMapURL.slice(comma + 1);
      text = meta.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
      mapUrl = script.url;
    } else {
      mapUrl = new URL(script.sourceMapURL, script.url).href;
      if (!mapUrl.startsWith('file:')) return undefined;
      text = readFileSync(new URL(mapUrl), 'utf8');
    }
    const payload = JSON.parse(text) as SourceMapPayload;
    return { map: new SourceMap(payload), sourceRoot: payload.sourceRoot || '', mapUrl };
  } catch {
    return undefined;
  }
}

/** Resolves a map's source the way Node does for stack traces: sourceRoot, then the map's URL. */
function resolveSource(source: string, loaded: LoadedMap): string {
  try {
    return new URL(loaded.sourceRoot + source, loaded.mapUrl).href;
  } catch {
    return source;
  }
}
