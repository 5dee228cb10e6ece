import { createServer, type AddressInfo, type Socket } from 'node:net';

/** A loopback port nothing listens on: taken from the kernel, then released. */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A loopback listener that counts connections and answers none: "nothing was contacted" is a count of 0. */
export interface Sentinel {
  port: number;
  connections(): number;
  close(): Promise<void>;
}

export async function sentinel(): Promise<Sentinel> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((c) => {
    connections++;
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () =>
      new Promise<void>((r) => {
        for (const c of sockets) c.destroy();
        server.close(() => r());
      }),
  };
}
