import { createConnection, createServer, type Server } from 'node:net'

const host = '127.0.0.1'

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address()
      if (address === null || typeof address === 'string') reject(new Error('no TCP address'))
      else resolve(address.port)
    })
  })
}

/**
 * `count` distinct free TCP ports on 127.0.0.1, chosen by the OS. All are held open together until
 * every one is known, so they differ; another process could still take one before the broker binds it,
 * which the broker reports as "Address already in use" (a rare, visible failure, not a silent one).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer())
  try {
    const ports: number[] = []
    for (const server of servers) ports.push(await listen(server, 0))
    return ports
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))))
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port within `timeoutMs`. */
export function portAccepts(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port })
    const done = (open: boolean): void => {
      socket.destroy()
      resolve(open)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}
