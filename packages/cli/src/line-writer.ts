import type { WriteStream } from 'node:fs';

/**
 * Buffers output lines and writes them in pieces of about 64 KiB. The run waits (flush) at read-chunk
 * boundaries while the stream is backed up; within a chunk, lines go on to the stream's own buffer.
 */
export class LineWriter {
  private buf: string[] = [];
  pending = 0;
  private failed = false;
  private handler: (e: NodeJS.ErrnoException) => void = () => {};

  constructor(private readonly stream: NodeJS.WritableStream) {}

  /** Write errors (EPIPE when the reader went away, ENOSPC, ...) go to `handler` instead of crashing. */
  onError(handler: (e: NodeJS.ErrnoException) => void): void {
    this.handler = handler;
    this.stream.on('error', (e: NodeJS.ErrnoException) => this.fail(e));
  }

  private fail(e: NodeJS.ErrnoException): void {
    this.failed = true;
    this.handler(e);
  }

  write(line: string): void {
    this.buf.push(line);
    this.pending += line.length + 1;
    if (this.pending > 1 << 16) this.spill();
  }

  /** Hands the buffered lines to the stream. */
  private spill(): void {
    if (this.failed) this.buf = [];
    if (this.buf.length === 0) return;
    const data = this.buf.join('\n') + '\n';
    this.buf = [];
    this.pending = 0;
    this.stream.write(data);
  }

  async flush(): Promise<void> {
    this.spill();
    const stream = this.stream as WriteStream;
    // asked of the stream, not remembered from write(): a drain may have come and gone since
    if (!stream.writableNeedDrain || this.failed) return;
    await new Promise<void>((resolve) => {
      // whichever comes first removes the other, so waits do not pile up listeners
      const done = () => {
        stream.off('drain', done);
        stream.off('error', done);
        resolve();
      };
      stream.once('drain', done);
      stream.once('error', done);
    });
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.failed || this.stream === process.stdout || this.stream === process.stderr) return;
    // the end callback gets a failed final write's error before the 'error' event does
    await new Promise<void>((resolve) =>
      (this.stream as WriteStream).end((e?: NodeJS.ErrnoException | null) => {
        if (e) this.fail(e);
        resolve();
      }),
    );
  }
}
