import { createServer } from 'node:net'

/** `count` distinct free TCP ports on 127.0.0.1, chosen by the OS (all held open until each is known). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer())
  try {
    const ports: number[] = []
    for (const server of servers)
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once('error', reject)
          server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
            const address = server.address()
            if (address === null || typeof address === 'string') reject(new Error('no TCP address'))
            else resolve(address.port)
          })
        }),
      )
    return ports
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
  }
}
