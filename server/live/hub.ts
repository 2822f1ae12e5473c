/**
 * The live hub: streams a run's telemetry to WebSocket clients in batches a
 * few times a second. A slow client never makes the server buffer without
 * bound: past a limit, the event types the run's pattern (or the kit) declares
 * `droppable` — requests, logs, retries — are dropped first, oldest first,
 * counted by type, and the counts are sent with the next batch. The `always`
 * types — state changes, the periodic `metrics` summaries, what a view needs
 * to stay right — are kept. Events go out as the run's host numbered them
 * (`seq`), in order: a page merges them with the recorded history by that
 * number, and a gap is a drop.
 */
import type { WebSocket } from 'ws';
import type { Delivery, Disposable, TelemetryBatch, TelemetryEvent } from '../../patterns/kit/index.ts';

/** Where the hub gets a run's events. */
export interface TelemetrySource {
  subscribe(runId: string, listener: (events: readonly TelemetryEvent[]) => void): Disposable | undefined;
}

/**
 * How the events of the run `runId` reach a client that falls behind, by
 * type: what the run's pattern declares in its `telemetry.ts`, and the kit
 * for the core types (`PatternRegistry.delivery`). Asked once per client.
 */
export type RunDelivery = (runId: string) => (type: string) => Delivery;

export interface HubOptions {
  flushEveryMs?: number;
  /** Most events queued for one client between flushes. */
  maxQueuedEvents?: number;
  /** Skip a flush while the socket has more than this many bytes unsent. */
  maxBufferedBytes?: number;
  /**
   * Most clients streaming at once, over all runs. Each one can hold a batch and a socket
   * buffer in the server's memory while it is slow, so the total is what bounds that memory.
   */
  maxClients?: number;
}

class ClientStream {
  private queue: TelemetryEvent[] = [];
  private dropped = 0;
  /** A map, not an object: an event type is data, and must not be able to name a prototype key. */
  private droppedByType = new Map<string, number>();

  constructor(
    private readonly socket: WebSocket,
    private readonly runId: string,
    private readonly delivery: (type: string) => Delivery,
    private readonly options: Required<HubOptions>,
  ) {}

  /** The run has stopped: once its last batch is out, the socket is closed and its slot freed. */
  private runEnded = false;

  push(events: readonly TelemetryEvent[]): void {
    for (const event of events) {
      this.queue.push(event);
      if (event.type === 'run.stopped') this.runEnded = true;
    }
    if (this.queue.length > this.options.maxQueuedEvents) this.shed();
  }

  private drop(event: TelemetryEvent): void {
    this.dropped++;
    this.droppedByType.set(event.type, (this.droppedByType.get(event.type) ?? 0) + 1);
  }

  /**
   * Drops droppable events, oldest first, until the queue fits; then, if the
   * `always` ones alone overflow it, the oldest of them, but never
   * `invariant.violated` (a broken invariant is the one thing a learner must
   * always see).
   */
  private shed(): void {
    let excess = this.queue.length - this.options.maxQueuedEvents;
    const kept: TelemetryEvent[] = [];
    for (const event of this.queue) {
      // The kit declares `invariant.violated` always; the hub keeps it whatever a lookup says.
      if (excess > 0 && event.type !== 'invariant.violated' && this.delivery(event.type) === 'droppable') {
        excess--;
        this.drop(event);
      } else {
        kept.push(event);
      }
    }
    if (excess > 0) {
      // Still too many: the oldest of anything, except a broken invariant.
      this.queue = kept.filter((event) => {
        if (excess === 0 || event.type === 'invariant.violated') return true;
        excess--;
        this.drop(event);
        return false;
      });
      return;
    }
    this.queue = kept;
  }

  flush(): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.queue.length > 0 || this.dropped > 0) {
      // The socket is still sending earlier batches: wait, and let push() shed meanwhile.
      if (this.socket.bufferedAmount > this.options.maxBufferedBytes) return;
      const batch: TelemetryBatch = {
        runId: this.runId,
        events: this.queue,
        dropped: this.dropped,
        droppedByType: Object.fromEntries(this.droppedByType),
      };
      this.queue = [];
      this.dropped = 0;
      this.droppedByType.clear();
      this.socket.send(JSON.stringify(batch));
    }
    // Nothing more will come: a tab left open on a finished run must not hold a slot.
    if (this.runEnded) this.socket.close(1000, 'run stopped');
  }
}

export class LiveHub {
  private readonly clients = new Set<ClientStream>();
  private readonly timer: NodeJS.Timeout;
  private readonly options: Required<HubOptions>;

  constructor(
    private readonly source: TelemetrySource,
    private readonly delivery: RunDelivery,
    options: HubOptions = {},
  ) {
    this.options = { flushEveryMs: 100, maxQueuedEvents: 5_000, maxBufferedBytes: 256 * 1024, maxClients: 32, ...options };
    this.timer = setInterval(() => this.flushAll(), this.options.flushEveryMs);
    this.timer.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Whether one more client may attach (checked before the WebSocket handshake). */
  get hasRoom(): boolean {
    return this.clients.size < this.options.maxClients;
  }

  /** Streams `runId` to `socket` until either closes. Returns false for an unknown run or a full hub. */
  attach(socket: WebSocket, runId: string): boolean {
    if (!this.hasRoom) return false;
    const client = new ClientStream(socket, runId, this.delivery(runId), this.options);
    const subscription = this.source.subscribe(runId, (events) => {
      client.push(events);
      // A run starting, taking new code, failing or stopping is what a learner waits to see:
      // sent at once, not at the next flush (they are rare, so this costs nothing).
      if (events.some((event) => event.type.startsWith('run.'))) client.flush();
    });
    if (!subscription) return false;
    this.clients.add(client);
    const detach = () => {
      subscription.dispose();
      this.clients.delete(client);
    };
    socket.on('close', detach);
    socket.on('error', detach);
    return true;
  }

  flushAll(): void {
    for (const client of this.clients) client.flush();
  }

  close(): void {
    clearInterval(this.timer);
    this.flushAll();
  }
}
