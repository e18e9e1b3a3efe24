/** Types of scripts/ports.mjs. */
import type { Server } from 'node:net';
export interface BoundSocket {
  server: Server;
  /** The listening socket's descriptor, to pass to a child as fd 3 (LISTEN_FD=3). */
  fd: number;
  port: number;
  host: string;
  /** Closes this process's copy (a child that inherited it keeps listening). */
  close(): Promise<void>;
}
export declare function bindSocket(host?: string, port?: number): Promise<BoundSocket>;
export declare function bindStablePort(host?: string): Promise<BoundSocket>;
export declare function withPortRetry<T>(
  start: (port: number) => Promise<T>,
  options?: { host?: string; tries?: number; isClash?: (e: unknown) => boolean },
): Promise<T>;
