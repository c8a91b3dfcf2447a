#!/usr/bin/env node
// trec-witness: the reference witness (witness.ts) as its own process, speaking C2SP
// tlog-witness over HTTP.
//
//   node services/audit/src/witness/main.ts --name witness.example.org/w1 --key witness.pem
//        --log <log verifier key> [--log …] --state state.json [--host 127.0.0.1] [--port 0]
//
// POST /add-checkpoint   the protocol's one call: cosignature lines, or 400/403/404/409/422
// GET  /key              the witness's verifier key (type 0x04), for verifiers to pin
// GET  /forks            the fork evidence it holds (JSON: both signed notes of each)
// On start it prints "listening on <url>" and its key to stdout. --key is a PKCS#8 PEM Ed25519
// private key; without the file, one is made and written there (mode 0600).

import { createPrivateKey, generateKeyPairSync } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import { witnessKey } from '@trec/merkle'
import { Witness } from './witness.ts'

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    key: { type: 'string' },
    log: { type: 'string', multiple: true },
    state: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
  },
})
if (!values.name || !values.key || !values.log?.length || !values.state) {
  process.stderr.write(
    'usage: trec-witness --name <name> --key <key.pem> --log <verifier key>… --state <file>\n',
  )
  process.exit(2)
}

const pem = await readFile(values.key, 'utf8').catch(async () => {
  const made = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  await writeFile(values.key!, made, { mode: 0o600 })
  return made
})
const privateKey = createPrivateKey(pem)
const witness = await Witness.open({
  name: values.name,
  privateKey,
  logs: values.log,
  stateFile: values.state,
})
const verifierKey = witnessKey(values.name, privateKey).verifierKey

const server = createServer((request, response) => {
  const answer = (status: number, contentType: string, body: string) =>
    response.writeHead(status, { 'content-type': contentType }).end(body)
  if (request.method === 'GET' && request.url === '/key') return answer(200, 'text/plain', `${verifierKey}\n`)
  if (request.method === 'GET' && request.url === '/forks')
    return answer(200, 'application/json', JSON.stringify({ forks: witness.forks }))
  if (request.method !== 'POST' || request.url !== '/add-checkpoint')
    return answer(404, 'text/plain', 'not found\n')
  const chunks: Buffer[] = []
  let bytes = 0
  request.on('data', (chunk: Buffer) => {
    bytes += chunk.length
    if (bytes > 1 << 16) request.destroy()
    else chunks.push(chunk)
  })
  request.on('end', () => {
    witness.addCheckpoint(Buffer.concat(chunks).toString('utf8')).then(
      (a) => answer(a.status, a.contentType, a.body),
      (error: Error) => answer(500, 'text/plain', `${error.message}\n`),
    )
  })
})
server.listen(Number(values.port), values.host, () => {
  const { port } = server.address() as AddressInfo
  process.stdout.write(`listening on http://${values.host}:${port}\nwitness key: ${verifierKey}\n`)
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close())
