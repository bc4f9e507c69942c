import { createServer } from 'node:net';

/** A port the local runtime listens on, and the variable that moves it. */
export interface LocalPort {
  /** What listens there, for people: "the API". */
  name: string;
  /** The environment variable that sets it: "PORT". */
  variable: string;
  port: number;
}

/**
 * Reads a port variable: unset gives `fallback`, anything but a whole number from 1 to 65535
 * is refused with a message naming the variable.
 */
export function portFrom(variable: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new Error(`${variable}=${value} is not a port: use a whole number from 1 to 65535.`);
  return port;
}

/** Whether something already listens on `port` at `host` (tried by listening there briefly). */
export function isPortTaken(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'EADDRINUSE' || error.code === 'EACCES'),
    );
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}

/** One line a person can act on: which port, what it is for, which variable to change. */
export function portConflictMessage(taken: LocalPort): string {
  return (
    `Port ${taken.port} (${taken.name}) is already in use — is another \`npm start\` running? ` +
    `Stop it, or choose another port: ${taken.variable}=${taken.port + 10} npm start`
  );
}

/** The ports in use among `ports`, in order, each checked on `host`. */
export async function takenPorts(ports: readonly LocalPort[], host: string): Promise<LocalPort[]> {
  const taken: LocalPort[] = [];
  for (const port of ports) if (await isPortTaken(port.port, host)) taken.push(port);
  return taken;
}
